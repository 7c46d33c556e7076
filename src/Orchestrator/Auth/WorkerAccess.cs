using System.Collections.Concurrent;
using System.Security.Claims;
using Dggrn.Contracts.Storage;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Auth;

/// <summary>Enforces that a worker token acts only for the workers registered with it.</summary>
/// <remarks>A worker's token never changes after registration, so the mapping is cached for the process lifetime.</remarks>
public sealed class WorkerAccess(IDbContextFactory<LabDbContext> db)
{
    readonly ConcurrentDictionary<string, Guid?> _owners = new();

    /// <summary>True when <paramref name="user"/> is an admin, or the worker token <paramref name="workerId"/> registered with.</summary>
    public async Task<bool> MayActForAsync(ClaimsPrincipal user, string workerId, CancellationToken ct)
    {
        if (user.IsInRole(Roles.Admin)) return true;
        if (!Guid.TryParse(user.FindFirstValue(Roles.TokenIdClaim), out var tokenId)) return false;
        return await OwnerAsync(workerId, ct) == tokenId;
    }

    /// <summary>The token a worker registered with; null when no such worker is registered.</summary>
    public async Task<Guid?> OwnerAsync(string workerId, CancellationToken ct)
    {
        if (_owners.TryGetValue(workerId, out var owner)) return owner;
        await using var ctx = await db.CreateDbContextAsync(ct);
        owner = await ctx.Workers.Where(w => w.Id == workerId).Select(w => w.TokenId).FirstOrDefaultAsync(ct);
        if (owner is not null) _owners[workerId] = owner;
        return owner;
    }

    /// <summary>Records the owner of a freshly registered worker.</summary>
    public void Remember(string workerId, Guid tokenId) => _owners[workerId] = tokenId;

    /// <summary>The caller's token id.</summary>
    public static Guid TokenId(ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(Roles.TokenIdClaim)!);
}
