using System.Security.Claims;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Grains.Abstractions;

namespace Dggrn.Orchestrator.Apis;

/// <summary>One report per request about one trial: started, metrics, log, complete, failed, release (the same grain path as a
/// batch of one), and the records that answer something: checkpoints (what retention deletes) and artifacts.</summary>
/// <remarks>A worker token may report only for a trial its own worker holds (or last held); the trial's grain then checks the
/// report's lease against the live one.</remarks>
public static class WorkerTrialsApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapWorkerTrialsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/trials/{id:guid}").WithTags("Worker reports").RequireAuthorization(Roles.WorkerPolicy);
        g.MapPost("/started", (Guid id, TrialStartedRequest r, [AsParameters] Ctx c) => ReportAsync(c, new WorkerReport(id, Started: r)));
        g.MapPost("/metrics", (Guid id, MetricBatch r, [AsParameters] Ctx c) => ReportAsync(c, new WorkerReport(id, Metrics: r)));
        g.MapPost("/log", (Guid id, TrialLogRequest r, [AsParameters] Ctx c) => ReportAsync(c, new WorkerReport(id, Log: r)));
        g.MapPost("/complete", (Guid id, TrialCompletedRequest r, [AsParameters] Ctx c) => ReportAsync(c, new WorkerReport(id, Complete: r)));
        g.MapPost("/failed", (Guid id, TrialFailedRequest r, [AsParameters] Ctx c) => ReportAsync(c, new WorkerReport(id, Failed: r)));
        g.MapPost("/release", (Guid id, TrialReleaseRequest r, [AsParameters] Ctx c) => ReportAsync(c, new WorkerReport(id, Release: r)));
        g.MapPost("/checkpoints", CheckpointAsync);
        g.MapPost("/artifacts", ArtifactAsync);
        return app;
    }

    /// <summary>What every report handler needs.</summary>
    internal sealed record Ctx(IGrainFactory Grains, ClaimsPrincipal User)
    {
        public ITrialGrain Trial(Guid id) => Grains.GetGrain<ITrialGrain>(id);

        /// <summary>The worker the report speaks for (the lease's holder, else the trial's last one), or the 403/404 to answer.</summary>
        public async Task<(IResult? Denied, string? Worker)> HolderAsync(Guid trialId, Guid leaseId)
        {
            var worker = await Trial(trialId).HolderAsync(leaseId);
            if (worker is null) return (ApiResults.Problem(404, $"trial {trialId} does not exist or was never leased"), null);
            return await WorkerAccess.MayActForAsync(Grains, User, worker) ? (null, worker)
                : (ApiResults.Forbidden($"trial {trialId} is held by worker {worker}, which this token may not act for"), null);
        }
    }

    static async Task<IResult> ReportAsync(Ctx c, WorkerReport report)
    {
        var (denied, worker) = await c.HolderAsync(report.TrialId, report.LeaseId);
        if (denied is not null) return denied;
        var outcome = (await c.Trial(report.TrialId).ApplyAsync(worker!, [report]))[0];
        return ApiResults.From(outcome);
    }

    static async Task<IResult> ArtifactAsync(Guid id, ArtifactRecordRequest r, [AsParameters] Ctx c)
    {
        var (denied, worker) = await c.HolderAsync(id, r.LeaseId);
        return denied ?? ApiResults.From(await c.Trial(id).RecordArtifactAsync(worker!, r));
    }

    static async Task<IResult> CheckpointAsync(Guid id, CheckpointRecordRequest r, [AsParameters] Ctx c)
    {
        var (denied, worker) = await c.HolderAsync(id, r.LeaseId);
        if (denied is not null) return denied;
        var reply = await c.Trial(id).RecordCheckpointAsync(worker!, r);
        return reply.Outcome.IsOk ? Results.Ok(new CheckpointRecordResponse(reply.Delete)) : ApiResults.From(reply.Outcome);
    }
}
