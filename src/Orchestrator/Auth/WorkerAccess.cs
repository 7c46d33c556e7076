using System.Security.Claims;
using Dggrn.Orchestrator.Grains.Abstractions;

namespace Dggrn.Orchestrator.Auth;

/// <summary>Enforces that a worker token acts only for the workers registered with it; the worker's grain knows its owner.</summary>
public static class WorkerAccess
{
    /// <summary>True when <paramref name="user"/> is an admin, or the worker token <paramref name="workerId"/> registered with.</summary>
    public static async Task<bool> MayActForAsync(IGrainFactory grains, ClaimsPrincipal user, string workerId)
    {
        if (user.IsInRole(Roles.Admin)) return true;
        if (!Guid.TryParse(user.FindFirstValue(Roles.TokenIdClaim), out var tokenId)) return false;
        return await grains.GetGrain<IWorkerGrain>(workerId).OwnerAsync() == tokenId;
    }

    /// <summary>The caller's token id.</summary>
    public static Guid TokenId(ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(Roles.TokenIdClaim)!);
}
