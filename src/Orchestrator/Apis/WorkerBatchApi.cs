using System.Security.Claims;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Grains.Abstractions;

namespace Dggrn.Orchestrator.Apis;

/// <summary>POST /api/workers/{id}/reports: a worker's reports about the trials it holds, in one request, optionally with a lease
/// for the next ones. The path every lifecycle report takes: each trial's grain decides its reports.</summary>
public static class WorkerBatchApi
{
    /// <summary>The most reports one batch may carry.</summary>
    public const int MaxReports = 1000;

    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapWorkerBatchApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/workers/{id}/reports", ReportsAsync).WithTags("Worker reports").RequireAuthorization(Roles.WorkerPolicy);
        return app;
    }

    static async Task<IResult> ReportsAsync(string id, WorkerReportBatch batch, IGrainFactory grains, ClaimsPrincipal user)
    {
        if (!await WorkerAccess.MayActForAsync(grains, user, id)) return ApiResults.Forbidden($"this token may not act for worker {id}");
        if (batch.Reports is null) return ApiResults.Problem(400, "reports: expected an array of reports, found none");
        if (batch.Reports.Length > MaxReports)
            return ApiResults.Problem(400, $"reports: expected at most {MaxReports} reports per batch, found {batch.Reports.Length}");
        var bad = batch.Reports.Select((r, n) => (r, n)).Where(x => x.r is null || x.r.Kind is null)
            .Select(x => $"reports[{x.n}]: expected exactly one of {string.Join(", ", WorkerReport.Phases)}").ToList();
        if (bad.Count > 0) return ApiResults.Problem(400, string.Join("; ", bad.Take(10)));
        // The lease runs alongside the reports, not after them: the worker already counted the slots the batch's final reports
        // free, and the trials it may be granted are Pending ones, which no report in the batch is about. A round trip's time
        // is then the slower of the two rather than their sum.
        var leasing = batch.Lease is { } lease ? grains.GetGrain<IWorkerGrain>(id).LeaseAsync(lease) : Task.FromResult<LeaseGrant[]>(null!);
        ReportOutcome[] applied;
        try
        {
            applied = await ApplyAsync(grains, id, batch.Reports);
        }
        catch when (batch.Lease is not null)
        {
            await HandBackAsync(grains, id, leasing);
            throw;
        }
        return Results.Ok(new WorkerReportBatchResponse(applied, batch.Lease is null ? null : await leasing));
    }

    // The batch failed (its answer is an error), so its grants would never reach the worker and their trials would wait for
    // the leases to lapse (the TTL) before anyone could run them: they go back to the queue now, as a worker's release
    // would. Best effort: a grant that cannot be handed back (the database is gone) still lapses.
    static async Task HandBackAsync(IGrainFactory grains, string workerId, Task<LeaseGrant[]> leasing)
    {
        LeaseGrant[] granted;
        try { granted = await leasing; }
        catch { return; }
        await Task.WhenAll(granted.Select(async g =>
        {
            try
            {
                await grains.GetGrain<ITrialGrain>(g.TrialId).ApplyAsync(workerId,
                    [new WorkerReport(g.TrialId, Release: new TrialReleaseRequest(g.LeaseId, "the batch that granted it failed before its answer reached the worker"))]);
            }
            catch
            {
                // It lapses at its TTL instead.
            }
        }));
    }

    /// <summary>Each trial's grain takes that trial's reports (in phase order); the trials proceed concurrently, and the grains'
    /// writes of one kind share statements (group commit). One outcome per report, in the request's order.</summary>
    internal static async Task<ReportOutcome[]> ApplyAsync(IGrainFactory grains, string workerId, IReadOnlyList<WorkerReport> reports)
    {
        var byTrial = reports.Select((r, n) => (r, n)).GroupBy(x => x.r.TrialId).ToList();
        var results = await Task.WhenAll(byTrial.Select(g => grains.GetGrain<ITrialGrain>(g.Key).ApplyAsync(workerId, [.. g.Select(x => x.r)])));
        var outcomes = new ReportOutcome[reports.Count];
        for (int k = 0; k < byTrial.Count; k++)
            foreach (var ((r, n), o) in byTrial[k].Zip(results[k]))
                outcomes[n] = new ReportOutcome(r.TrialId, r.Kind!, ApiResults.Status(o.Kind), o.Error);
        return outcomes;
    }
}
