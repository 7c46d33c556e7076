using Dggrn.Contracts.Trials;

namespace Dggrn.Contracts.Storage;

// The system of record (PostgreSQL). Table and column names are snake_case. Grains write through;
// the dashboard reads. Keep one entity per concept; derived values are computed in queries.

/// <summary>A submitted grid.</summary>
public sealed class ExperimentEntity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public string Owner { get; set; } = "";
    /// <summary>The spec document as submitted (YAML or JSON text).</summary>
    public string SpecText { get; set; } = "";
    public string Protocol { get; set; } = "dggrn-v1";
    public int Priority { get; set; }
    public ExperimentState State { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public List<TrialEntity> Trials { get; set; } = [];
}

/// <summary>One trial of an experiment (one cell of the grid).</summary>
public sealed class TrialEntity
{
    public Guid Id { get; set; }
    public Guid ExperimentId { get; set; }
    public ExperimentEntity? Experiment { get; set; }
    /// <summary>Human key, e.g. "dggrn-n8-k64-x2-NAMIC-s0".</summary>
    public required string Key { get; set; }
    /// <summary>SHA-256 hex of everything that determines the result.</summary>
    public required string Identity { get; set; }
    public required string Method { get; set; }
    public required string Dataset { get; set; }
    public int Blocks { get; set; }
    public int Filters { get; set; }
    public int Scale { get; set; }
    public int Seed { get; set; }
    /// <summary>Which paper tables/figures this trial feeds ("1", "2", "3", "fig6").</summary>
    public string[] Tables { get; set; } = [];
    /// <summary>The <see cref="TrialConfig"/> as JSON.</summary>
    public required string ConfigJson { get; set; }
    public TrialState State { get; set; }
    /// <summary>Attempts started so far (1-based once leased).</summary>
    public int Attempt { get; set; }
    public int MaxAttempts { get; set; } = 3;
    public string? WorkerId { get; set; }
    public Guid? LeaseId { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    public int Epoch { get; set; }
    public long Step { get; set; }
    public int? ResumedFromEpoch { get; set; }
    public double? BestPsnr { get; set; }
    /// <summary>Final <see cref="EvalResult"/> as JSON once succeeded.</summary>
    public string? ResultJson { get; set; }
    public long? Parameters { get; set; }
    public double? Seconds { get; set; }
    public string? Error { get; set; }
    /// <summary>Failed because training diverged (a NaN or infinite loss or test metric); shown as "Diverged".</summary>
    public bool Diverged { get; set; }
    /// <summary>The latest attempt's <see cref="Api.TrialEnvironment"/> as JSON (recorded when it starts).</summary>
    public string? EnvironmentJson { get; set; }
    /// <summary>Set when this trial was satisfied by an identical succeeded trial elsewhere.</summary>
    public Guid? ReusedFromTrialId { get; set; }
    public bool CancelRequested { get; set; }
    /// <summary>Paused by the user (or with its experiment): not leased until resumed.</summary>
    public bool Paused { get; set; }
    /// <summary>Device kind that may run it: "any", "cpu" or "cuda".</summary>
    public string Device { get; set; } = "any";
    /// <summary>Estimated device memory the trial needs (scheduler's fit test).</summary>
    public long MemoryEstimateBytes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Every state change of a trial, with its reason.</summary>
public sealed class TrialTransitionEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public TrialState? FromState { get; set; }
    public TrialState ToState { get; set; }
    public required string Reason { get; set; }
    public string? WorkerId { get; set; }
    public int Attempt { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>A registered worker process.</summary>
public sealed class WorkerEntity
{
    public required string Id { get; set; }
    public required string Host { get; set; }
    public int Pid { get; set; }
    /// <summary>Devices as JSON (<see cref="Api.DeviceInfo"/>[]).</summary>
    public string DevicesJson { get; set; } = "[]";
    public string Device { get; set; } = "cpu";
    public int Slots { get; set; }
    public int FreeSlots { get; set; }
    public string Version { get; set; } = "";
    /// <summary>The worker's numerics self-check (<see cref="Api.NumericsInfo"/>) as JSON, or null when it reported none.</summary>
    public string? NumericsJson { get; set; }
    /// <summary>Whether that check passed; false: the worker computes wrong numbers and is given no trials.</summary>
    public bool? NumericsPassed { get; set; }
    public string State { get; set; } = "Active";
    /// <summary>The API token the worker registered with; only that token may act for it.</summary>
    public Guid? TokenId { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public DateTimeOffset LastHeartbeatAt { get; set; }
}

/// <summary>One metric point of one trial attempt. Unique on (trial, name, step): a resumed attempt overwrites.</summary>
public sealed class MetricEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public int Attempt { get; set; }
    public required string Name { get; set; }
    public long Step { get; set; }
    public int Epoch { get; set; }
    public double Value { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>Idempotency record of an ingested metric batch.</summary>
public sealed class MetricBatchEntity
{
    public required string WorkerId { get; set; }
    public Guid TrialId { get; set; }
    public int Attempt { get; set; }
    public long Sequence { get; set; }
    public int Points { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>A verified checkpoint object in the checkpoint store.</summary>
public sealed class CheckpointEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public int Attempt { get; set; }
    public int Epoch { get; set; }
    public long Step { get; set; }
    public required string Key { get; set; }
    public required string Sha256 { get; set; }
    public long SizeBytes { get; set; }
    public double? TestPsnr { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Set when retention handed the key to the worker for deletion; the record is forgotten at the next record call.</summary>
    public DateTimeOffset? RetiredAt { get; set; }
}

/// <summary>An example image / feature map (PNG) in the checkpoint store.</summary>
public sealed class ArtifactEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public int Epoch { get; set; }
    /// <summary>"lr", "bicubic", "sr", "hr", "error", "gm".</summary>
    public required string Kind { get; set; }
    public int Axis { get; set; }
    public int Slice { get; set; }
    public required string Key { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Per-axis test evaluation of a trial at an epoch, with per-slice values for paired tests.</summary>
public sealed class EvaluationEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public int Epoch { get; set; }
    /// <summary>0, 1, 2, or -1 for all axes pooled.</summary>
    public int Axis { get; set; }
    public int Slices { get; set; }
    public double Psnr { get; set; }
    public double Ssim { get; set; }
    public double[] PerSlicePsnr { get; set; } = [];
    public double[] PerSliceSsim { get; set; } = [];
}

/// <summary>Log lines of a trial for the dashboard's log tail.</summary>
public sealed class TrialLogEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public int Attempt { get; set; }
    public required string Line { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>An API token. Only the SHA-256 of the secret is stored.</summary>
public sealed class ApiTokenEntity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>"admin", "submitter", "viewer" or "worker".</summary>
    public required string Role { get; set; }
    public required string TokenHash { get; set; }
    /// <summary>One-time sign-in tokens are consumed at first use.</summary>
    public bool SingleUse { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
