using System.Security.Claims;
using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Queries;
using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Apis;

/// <summary>User-facing trial routes: control and checkpoint listings.</summary>
public static class TrialsApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapTrialsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/trials").WithTags("Trials");
        g.MapPost("/{id:guid}/cancel", (Guid id, IGrainFactory f, ClaimsPrincipal u) => Control(f, id, t => t.CancelAsync(u.Identity!.Name!))).RequireAuthorization(Roles.SubmitPolicy);
        g.MapPost("/{id:guid}/pause", (Guid id, IGrainFactory f, ClaimsPrincipal u) => Control(f, id, t => t.PauseAsync(u.Identity!.Name!))).RequireAuthorization(Roles.SubmitPolicy);
        g.MapPost("/{id:guid}/resume", (Guid id, IGrainFactory f) => Control(f, id, t => t.ResumeAsync())).RequireAuthorization(Roles.SubmitPolicy);
        g.MapGet("/{id:guid}/checkpoints/latest", LatestAsync).RequireAuthorization(p => p.RequireRole(Roles.All));
        g.MapGet("/{id:guid}/checkpoints", ListAsync).RequireAuthorization(p => p.RequireRole(Roles.All));
        return app;
    }

    static async Task<IResult> Control(IGrainFactory grains, Guid id, Func<ITrialGrain, Task<OpResult>> op) =>
        ApiResults.From(await op(grains.GetGrain<ITrialGrain>(id)));

    static async Task<IResult> LatestAsync(Guid id, LabQueries q, CancellationToken ct) =>
        (await q.CheckpointsAsync(id, ct)).FirstOrDefault() is { } c ? Results.Ok(c) : ApiResults.Problem(404, $"trial {id} has no verified checkpoint");

    static async Task<IResult> ListAsync(Guid id, LabQueries q, CancellationToken ct) => Results.Ok(await q.CheckpointsAsync(id, ct));
}
