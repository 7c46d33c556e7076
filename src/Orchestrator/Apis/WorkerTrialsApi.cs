using System.Security.Claims;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Metrics;
using Dggrn.Orchestrator.Queries;
using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Apis;

/// <summary>The lease holder's reports about a trial: started, metrics, checkpoints, artifacts, complete, failed, release, log.</summary>
/// <remarks>A worker token may report only for a trial currently (or last) held by one of its own workers; the lease id
/// in each body is then checked against the trial's live lease.</remarks>
public static class WorkerTrialsApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapWorkerTrialsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/trials/{id:guid}").WithTags("Worker reports").RequireAuthorization(Roles.WorkerPolicy);
        g.MapPost("/started", (Guid id, TrialStartedRequest r, [AsParameters] Ctx c) => Grain(c, id, r.LeaseId, t => t.StartedAsync(r)));
        g.MapPost("/complete", (Guid id, TrialCompletedRequest r, [AsParameters] Ctx c) => Grain(c, id, r.LeaseId, t => t.CompleteAsync(r)));
        g.MapPost("/failed", (Guid id, TrialFailedRequest r, [AsParameters] Ctx c) => Grain(c, id, r.LeaseId, t => t.FailedAsync(r)));
        g.MapPost("/release", (Guid id, TrialReleaseRequest r, [AsParameters] Ctx c) => Grain(c, id, r.LeaseId, t => t.ReleaseAsync(r)));
        g.MapPost("/metrics", MetricsAsync);
        g.MapPost("/checkpoints", CheckpointAsync);
        g.MapPost("/artifacts", async (Guid id, ArtifactRecordRequest r, [AsParameters] Ctx c, WorkerReports w) =>
            await c.HolderAsync(id, r.LeaseId) ?? ApiResults.From(await w.RecordArtifactAsync(id, r, c.Http.RequestAborted)));
        g.MapPost("/log", async (Guid id, TrialLogRequest r, [AsParameters] Ctx c, WorkerReports w) =>
            await c.HolderAsync(id, r.LeaseId) ?? ApiResults.From(await w.AppendLogAsync(id, r, c.Http.RequestAborted)));
        return app;
    }

    /// <summary>What every report handler needs.</summary>
    internal sealed record Ctx(HttpContext Http, IGrainFactory Grains, WorkerAccess Access, LabQueries Queries, LeaseHolders Holders)
    {
        /// <summary>The worker a report speaks for: the lease's holder when known, else the trial's last holder.</summary>
        public async Task<string?> WorkerAsync(Guid trialId, Guid leaseId) =>
            Holders.Find(leaseId) ?? await Queries.TrialWorkerAsync(trialId, Http.RequestAborted);

        /// <summary>Null when the caller may report for the trial; otherwise the 403/404 to return.</summary>
        public async Task<IResult?> HolderAsync(Guid trialId, Guid leaseId)
        {
            var worker = await WorkerAsync(trialId, leaseId);
            if (worker is null) return ApiResults.Problem(404, $"trial {trialId} does not exist or was never leased");
            return await Access.MayActForAsync(Http.User, worker, Http.RequestAborted) ? null
                : ApiResults.Forbidden($"trial {trialId} is held by worker {worker}, which this token may not act for");
        }
    }

    static async Task<IResult> Grain(Ctx c, Guid id, Guid leaseId, Func<ITrialGrain, Task<OpResult>> op) =>
        await c.HolderAsync(id, leaseId) ?? ApiResults.From(await op(c.Grains.GetGrain<ITrialGrain>(id)));

    static async Task<IResult> MetricsAsync(Guid id, MetricBatch batch, [AsParameters] Ctx c, MetricIngestor ingest)
    {
        if (await c.HolderAsync(id, batch.LeaseId) is { } denied) return denied;
        var worker = (await c.WorkerAsync(id, batch.LeaseId))!;
        var (result, stored) = await ingest.IngestAsync(worker, id, batch, c.Http.RequestAborted);
        return result.IsOk ? Results.Ok(new { stored, points = stored ? batch.Points.Length : 0 }) : ApiResults.From(result);
    }

    static async Task<IResult> CheckpointAsync(Guid id, CheckpointRecordRequest r, [AsParameters] Ctx c, WorkerReports w)
    {
        if (await c.HolderAsync(id, r.LeaseId) is { } denied) return denied;
        var (result, response) = await w.RecordCheckpointAsync(id, r, c.Http.RequestAborted);
        return result.IsOk ? Results.Ok(response) : ApiResults.From(result);
    }
}
