using System.Security.Claims;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Auth;

/// <summary>Who may change an experiment and its trials: admins any, submitters only their own.</summary>
/// <remarks>
/// A user is the token's name (the owner recorded at submit), so one person's several tokens (laptop, CI) act as
/// one user. Everyone who may read sees every experiment (a research group compares each other's runs), so a
/// refusal is a 403 that names the owner rather than a 404 that would pretend a visible experiment is missing.
/// </remarks>
public sealed class ExperimentAccess(IDbContextFactory<LabDbContext> db)
{
    /// <summary>Null when <paramref name="user"/> may control experiment <paramref name="experimentId"/>; otherwise the 404/403 to return.</summary>
    public async Task<IResult?> ExperimentAsync(ClaimsPrincipal user, Guid experimentId, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var owner = await ctx.Experiments.Where(e => e.Id == experimentId).Select(e => e.Owner).FirstOrDefaultAsync(ct);
        if (owner is null) return Results.Problem(statusCode: 404, detail: $"experiment {experimentId} does not exist");
        return Check(user, owner, $"experiment {experimentId}");
    }

    /// <summary>Null when <paramref name="user"/> may control trial <paramref name="trialId"/> (through its experiment's owner).</summary>
    public async Task<IResult?> TrialAsync(ClaimsPrincipal user, Guid trialId, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var row = await ctx.Trials.Where(t => t.Id == trialId)
            .Select(t => new { t.ExperimentId, Owner = ctx.Experiments.Where(e => e.Id == t.ExperimentId).Select(e => e.Owner).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (row is null) return Results.Problem(statusCode: 404, detail: $"trial {trialId} does not exist");
        return Check(user, row.Owner ?? "", $"trial {trialId} (experiment {row.ExperimentId})");
    }

    /// <summary>True when <paramref name="user"/> may change what <paramref name="owner"/> submitted.</summary>
    public static bool MayChange(ClaimsPrincipal user, string owner) =>
        user.IsInRole(Roles.Admin) || (user.IsInRole(Roles.Submitter) && string.Equals(user.Identity?.Name, owner, StringComparison.Ordinal));

    static IResult? Check(ClaimsPrincipal user, string owner, string what) => MayChange(user, owner) ? null
        : Results.Problem(statusCode: 403,
            detail: $"{what} belongs to '{owner}': a {Role(user)} token named '{user.Identity?.Name}' may change only its own experiments");

    static string Role(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) ?? "(no role)";
}
