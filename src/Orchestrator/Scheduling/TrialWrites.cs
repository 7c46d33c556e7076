using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Metrics;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>The trial grains' write-through: each report kind group-committed into the store's set-based statements.</summary>
/// <remarks>One per silo. The grain has validated the report against its lease before it gets here; the statement still
/// conditions on the live lease, so PostgreSQL decides any race the grain could not see (a lease scan on another silo).</remarks>
public sealed class TrialWrites(TrialStore trials, MetricIngestor metrics, WorkerReports records)
{
    readonly GroupCommit<TrialReport<TrialStartedRequest>, Outcome> _started = new(items => trials.StartedAsync(items));
    readonly GroupCommit<TrialReport<Completion>, Outcome> _completed = new(items => trials.CompleteAsync(items));
    readonly GroupCommit<TrialReport<TrialLogRequest>, Outcome> _logs = new(items => trials.AppendLogsAsync(items));
    readonly GroupCommit<TrialReport<MetricBatch>, (Outcome, bool)> _metrics = new(items => metrics.IngestAsync(items), maxBatch: 64);

    /// <summary>Leased -> Running.</summary>
    public Task<Outcome> StartedAsync(TrialReport<TrialStartedRequest> r) => _started.AddAsync(r);

    /// <summary>-> Succeeded with the final evaluation (from Leased through Running when the completion carries the start).</summary>
    public Task<Outcome> CompleteAsync(TrialReport<Completion> r) => _completed.AddAsync(r);

    /// <summary>Stores a metric batch (idempotent on its sequence); Stored says whether it was new.</summary>
    public Task<(Outcome Result, bool Stored)> MetricsAsync(TrialReport<MetricBatch> r) => _metrics.AddAsync(r);

    /// <summary>Appends log lines.</summary>
    public Task<Outcome> LogAsync(TrialReport<TrialLogRequest> r) => _logs.AddAsync(r);

    /// <summary>-> Pending (retryable, attempts left) or Failed. Rare: written on its own.</summary>
    public Task<Outcome> FailedAsync(TrialReport<TrialFailedRequest> r) => trials.FailedAsync(r);

    /// <summary>-> Pending without spending an attempt. Rare: written on its own.</summary>
    public Task<Outcome> ReleaseAsync(TrialReport<TrialReleaseRequest> r) => trials.ReleaseAsync(r);

    /// <summary>Records a verified checkpoint and applies retention.</summary>
    public Task<(Outcome, CheckpointRecordResponse?)> CheckpointAsync(TrialReport<CheckpointRecordRequest> r) =>
        records.RecordCheckpointAsync(r.Worker, r.Trial, r.Report);

    /// <summary>Records an example image.</summary>
    public Task<Outcome> ArtifactAsync(TrialReport<ArtifactRecordRequest> r) => records.RecordArtifactAsync(r.Worker, r.Trial, r.Report);
}
