using System.Security.Claims;
using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Queries;
using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Apis;

/// <summary>User-facing trial routes: control, checkpoint listings and metric series.</summary>
public static class TrialsApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapTrialsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/trials").WithTags("Trials");
        // Control is for the owner of the trial's experiment or an admin (ExperimentAccess).
        g.MapPost("/{id:guid}/cancel", (Guid id, [AsParameters] ControlContext c) => Control(c, id, (t, by) => t.CancelAsync(by))).RequireAuthorization(Roles.SubmitPolicy);
        g.MapPost("/{id:guid}/pause", (Guid id, [AsParameters] ControlContext c) => Control(c, id, (t, by) => t.PauseAsync(by))).RequireAuthorization(Roles.SubmitPolicy);
        g.MapPost("/{id:guid}/resume", (Guid id, [AsParameters] ControlContext c) => Control(c, id, (t, _) => t.ResumeAsync())).RequireAuthorization(Roles.SubmitPolicy);
        g.MapGet("/{id:guid}/checkpoints/latest", LatestAsync).RequireAuthorization(p => p.RequireRole(Roles.All));
        g.MapGet("/{id:guid}/checkpoints", ListAsync).RequireAuthorization(p => p.RequireRole(Roles.All));
        g.MapGet("/{id:guid}/metrics", MetricsAsync).RequireAuthorization(Roles.ReadPolicy);
        return app;
    }

    /// <summary>GET /api/trials/{id}/metrics[?names=a,b]: the trial's series (a reused trial's are its original's).</summary>
    static async Task<IResult> MetricsAsync(Guid id, string? names, LabQueries q, CancellationToken ct) =>
        await q.MetricsAsync(id, names?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), ct) is { } m
            ? Results.Ok(m) : ApiResults.Problem(404, $"trial {id} does not exist");

    /// <summary>What a control request needs: the grains, the caller and the ownership check.</summary>
    internal sealed record ControlContext(IGrainFactory Grains, ClaimsPrincipal User, ExperimentAccess Access, CancellationToken Aborted);

    static async Task<IResult> Control(ControlContext c, Guid id, Func<ITrialGrain, string, Task<Outcome>> op) =>
        await c.Access.TrialAsync(c.User, id, c.Aborted) ?? ApiResults.From(await op(c.Grains.GetGrain<ITrialGrain>(id), c.User.Identity!.Name!));

    static async Task<IResult> LatestAsync(Guid id, ClaimsPrincipal user, LabQueries q, IGrainFactory grains, CancellationToken ct) =>
        await ReadableAsync(id, user, grains)
        ?? ((await q.CheckpointsAsync(id, ct)).FirstOrDefault() is { } c ? Results.Ok(c) : ApiResults.Problem(404, $"trial {id} has no verified checkpoint"));

    static async Task<IResult> ListAsync(Guid id, ClaimsPrincipal user, LabQueries q, IGrainFactory grains, CancellationToken ct) =>
        await ReadableAsync(id, user, grains) ?? Results.Ok(await q.CheckpointsAsync(id, ct));

    /// <summary>
    /// People read every trial's checkpoints; a worker token only those of trials its own workers hold or last held (what
    /// it needs to resume), since worker tokens act only for themselves. Null when allowed, else the 403/404.
    /// </summary>
    static async Task<IResult?> ReadableAsync(Guid id, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!user.IsInRole(Roles.Worker)) return null;
        var worker = await grains.GetGrain<ITrialGrain>(id).HolderAsync(Guid.Empty);
        if (worker is null) return ApiResults.Problem(404, $"trial {id} does not exist or was never leased");
        return await WorkerAccess.MayActForAsync(grains, user, worker) ? null
            : ApiResults.Forbidden($"trial {id} is held by worker {worker}; a worker token reads only the checkpoints of its own workers' trials");
    }
}
