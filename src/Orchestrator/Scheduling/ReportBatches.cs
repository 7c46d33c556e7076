using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Metrics;
using Npgsql;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>Applies a worker's batch of reports: set-based per kind, in phases (started, metrics, complete, failed, release).</summary>
/// <remarks>
/// A batch costs one HTTP request and a few statements however many trials it speaks for, which is what lets one
/// orchestrator keep up with many workers running short trials. Each report keeps the meaning and the checks of its
/// one-report endpoint (live lease, idempotent retries), plus one more: the trial's lease must be held by the worker
/// the batch is addressed to. The trial grains are bypassed on purpose: they only forward to the same conditional
/// updates, and PostgreSQL, not a grain, arbitrates between racing reports.
/// </remarks>
public sealed class ReportBatches(NpgsqlDataSource data, TrialStore trials, MetricIngestor metrics)
{
    /// <summary>Applies <paramref name="reports"/> for <paramref name="workerId"/>; one outcome per report, in order.</summary>
    public async Task<ReportOutcome[]> ApplyAsync(string workerId, IReadOnlyList<WorkerReport> reports, CancellationToken ct)
    {
        var outcomes = new ReportOutcome[reports.Count];
        var kinds = reports.Select(r => r.Kind!).ToArray();

        await PhaseAsync(reports, kinds, outcomes, "started", r => r.Started!,
            items => trials.StartedAsync(workerId, items, ct));
        await PhaseAsync(reports, kinds, outcomes, "metrics", r => r.Metrics!,
            async items => [.. (await metrics.IngestAsync(workerId, items, ct)).Select(x => x.Result)]);
        await PhaseAsync(reports, kinds, outcomes, "complete", r => r.Complete!,
            items => trials.CompleteAsync(workerId, items, ct));
        for (int n = 0; n < reports.Count; n++)
        {
            var r = reports[n];
            if (kinds[n] == "failed")
                outcomes[n] = Outcome(r, "failed", await HeldAsync(workerId, r.TrialId, r.Failed!.LeaseId, ct) ?? await trials.FailedAsync(r.TrialId, r.Failed, ct));
            else if (kinds[n] == "release")
                outcomes[n] = Outcome(r, "release", await HeldAsync(workerId, r.TrialId, r.Release!.LeaseId, ct) ?? await trials.ReleaseAsync(r.TrialId, r.Release, ct));
        }
        return outcomes;
    }

    static async Task PhaseAsync<T>(IReadOnlyList<WorkerReport> reports, string[] kinds, ReportOutcome[] outcomes, string kind,
        Func<WorkerReport, T> body, Func<IReadOnlyList<(Guid, T)>, Task<OpResult[]>> apply)
    {
        var index = Enumerable.Range(0, reports.Count).Where(n => kinds[n] == kind).ToArray();
        if (index.Length == 0) return;
        var results = await apply(index.Select(n => (reports[n].TrialId, body(reports[n]))).ToArray());
        for (int k = 0; k < index.Length; k++) outcomes[index[k]] = Outcome(reports[index[k]], kind, results[k]);
    }

    static ReportOutcome Outcome(WorkerReport r, string kind, OpResult result) => new(r.TrialId, kind, result.Status, result.Error);

    /// <summary>Null when <paramref name="leaseId"/> is not a lease of another worker; otherwise the 403 (a stale lease is the store's 409).</summary>
    async Task<OpResult?> HeldAsync(string workerId, Guid trialId, Guid leaseId, CancellationToken ct)
    {
        await using var cmd = data.CreateCommand("SELECT worker_id FROM trials WHERE id = @t AND lease_id = @l");
        cmd.Parameters.AddWithValue("t", trialId);
        cmd.Parameters.AddWithValue("l", leaseId);
        return await cmd.ExecuteScalarAsync(ct) is string holder && holder != workerId
            ? new OpResult(403, $"lease {leaseId} of trial {trialId} is not held by worker {workerId}") : null;
    }
}
