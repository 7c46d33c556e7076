using System.Security.Claims;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Apis;

/// <summary>POST /api/workers/{id}/reports: a worker's reports about several of its trials in one request, optionally with a lease for the next ones.</summary>
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

    static async Task<IResult> ReportsAsync(string id, WorkerReportBatch batch, ReportBatches batches, WorkerAccess access,
        IGrainFactory grains, LeaseHolders holders, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!await access.MayActForAsync(user, id, ct)) return ApiResults.Forbidden($"this token may not act for worker {id}");
        if (batch.Reports is null) return ApiResults.Problem(400, "reports: expected an array of reports, found none");
        if (batch.Reports.Length > MaxReports)
            return ApiResults.Problem(400, $"reports: expected at most {MaxReports} reports per batch, found {batch.Reports.Length}");
        var bad = batch.Reports.Select((r, n) => (r, n)).Where(x => x.r is null || x.r.Kind is null)
            .Select(x => $"reports[{x.n}]: expected exactly one of started, metrics, complete, failed, release").ToList();
        if (bad.Count > 0) return ApiResults.Problem(400, string.Join("; ", bad.Take(10)));
        var outcomes = await batches.ApplyAsync(id, batch.Reports, ct);
        // Leasing after the reports: the slots the completed trials freed are what the worker asks to fill.
        var grants = batch.Lease is { } lease ? await WorkersApi.LeaseForAsync(id, lease, grains, holders) : null;
        return Results.Ok(new WorkerReportBatchResponse(outcomes, grants));
    }
}
