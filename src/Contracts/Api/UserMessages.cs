using Dggrn.Contracts.Trials;

namespace Dggrn.Contracts.Api;

// Messages of the user-facing API (the CLI and the dashboard are clients of it).

/// <summary>POST /api/experiments: a spec document (YAML or JSON) or a preset name.</summary>
public sealed record SubmitRequest(string? Spec, string? Preset, bool Rerun = false, int? Priority = null);

/// <summary>Answer to a submit.</summary>
public sealed record SubmitResponse(Guid Id, string Name, int Trials, int Reused);

/// <summary>One validation problem, located by its path in the document, e.g. "grid[1].filters[2]".</summary>
public sealed record SpecError(string Path, string Message);

/// <summary>400 body for an invalid spec: every error at once.</summary>
public sealed record SpecErrorsResponse(string Title, SpecError[] Errors);

/// <summary>Row of `./dggrn status` (no id).</summary>
public sealed record ExperimentSummary(
    Guid Id, string Name, string Owner, string State, int Priority,
    Dictionary<string, int> TrialsByState, int Total, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, double? EtaSeconds);

/// <summary>`./dggrn status ID --json`.</summary>
public sealed record ExperimentDetail(Guid Id, string Name, string Owner, string State, int Priority, TrialSummary[] Trials,
    DateTimeOffset CreatedAt, double? EtaSeconds);

/// <summary>A trial as status prints it. Metrics holds the final test metrics (psnr, ssim, per axis) once known. State is the
/// trial's state, or "Diverged" for a failure by divergence; Environment is where its latest attempt ran. A trial reused
/// from an identical earlier one (<paramref name="ReusedFrom"/>) shows that trial's epoch, metrics, environment and
/// timings (<paramref name="StartedAt"/>, <paramref name="FinishedAt"/>, <paramref name="Seconds"/> of training); its
/// attempts and worker are its own (none: it never ran).</summary>
public sealed record TrialSummary(
    Guid Id, string Key, string State, int Attempts, string? Worker, int Epoch, int? ResumedFromEpoch,
    double? BestPsnr, Dictionary<string, double> Metrics, string Method, string Dataset, int Blocks, int Filters, int Scale,
    int Seed, string[] Tables, Guid? ReusedFrom, string? Error, TrialEnvironment? Environment = null,
    DateTimeOffset? StartedAt = null, DateTimeOffset? FinishedAt = null, double? Seconds = null);

/// <summary>`./dggrn workers --json` row. <paramref name="Numerics"/> is the worker's start-up self-check (null for a worker
/// that reported none); a worker whose check failed is "Refused" and holds no trials.</summary>
public sealed record WorkerSummary(string Id, string Host, int Pid, string Device, int Slots, int FreeSlots, Guid[] Trials,
    DateTimeOffset LastHeartbeat, string State, NumericsInfo? Numerics = null);

/// <summary>One point of a metric series: the global step, the epoch and the value.</summary>
public sealed record SeriesPoint(long Step, int Epoch, double Value);

/// <summary>GET /api/trials/{id}/metrics: a trial's metric series by name, in step order. A reused trial
/// (<paramref name="ReusedFrom"/>) answers with its original's series.</summary>
public sealed record TrialMetrics(Guid TrialId, Guid? ReusedFrom, Dictionary<string, SeriesPoint[]> Series);
