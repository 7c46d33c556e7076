using Dggrn.Contracts.Trials;

namespace Dggrn.Contracts.Api;

// Wire messages between a worker and the orchestrator (HTTP JSON, camelCase). Worker tokens may only
// act for the worker they registered as.

/// <summary>One device a worker offers, e.g. "cpu" or "cuda:0".</summary>
public sealed record DeviceInfo(string Name, string Kind, long MemoryBytes, int Slots);

/// <summary>POST /api/workers/register. <paramref name="Numerics"/> is the worker's start-up self-check; a worker whose
/// check failed registers (so the failure shows) but is given no trials.</summary>
public sealed record RegisterWorkerRequest(string Host, int Pid, DeviceInfo[] Devices, string Version, string? Name = null, NumericsInfo? Numerics = null);

/// <summary>Answer to a registration: the id to use and the timing contract.</summary>
/// <param name="WorkerId">The id to use in every later call.</param>
/// <param name="HeartbeatSeconds">How often to heartbeat.</param>
/// <param name="LeaseTtlSeconds">How long a lease lives without a heartbeat.</param>
/// <param name="Refused">Set (and the registration not applied) when the id belongs to another live worker process;
/// the HTTP API answers 409 with this reason.</param>
public sealed record RegisterWorkerResponse(string WorkerId, int HeartbeatSeconds, int LeaseTtlSeconds, string? Refused = null);

/// <summary>POST /api/workers/{id}/lease: ask for up to <see cref="MaxTrials"/> trials that fit.</summary>
public sealed record LeaseRequest(int MaxTrials, string Device, long FreeMemoryBytes);

/// <summary>A lease on one trial attempt. The worker must heartbeat before <see cref="ExpiresAt"/>.</summary>
public sealed record LeaseGrant(
    Guid TrialId,
    Guid ExperimentId,
    int Attempt,
    Guid LeaseId,
    DateTimeOffset ExpiresAt,
    TrialConfig Config,
    string Identity,
    CheckpointInfo? ResumeFrom);

/// <summary>Progress of one leased trial, carried by a heartbeat.</summary>
public sealed record TrialProgress(Guid TrialId, Guid LeaseId, int Epoch, long Step);

/// <summary>POST /api/workers/{id}/heartbeat.</summary>
public sealed record HeartbeatRequest(TrialProgress[] Trials, int FreeSlots);

/// <summary>Leases renewed; trials to cancel; leases the orchestrator no longer recognises (stop them).</summary>
public sealed record HeartbeatResponse(DateTimeOffset LeaseExpiresAt, Guid[] Cancel, Guid[] Lost);

/// <summary>POST /api/trials/{id}/started, with where and with what this attempt runs.</summary>
public sealed record TrialStartedRequest(Guid LeaseId, int? ResumedFromEpoch, TrialEnvironment? Environment = null);

/// <summary>One metric point. Step is the global optimiser step (epoch-level metrics use the epoch's last step).</summary>
public sealed record MetricPoint(string Name, long Step, int Epoch, double Value, DateTimeOffset At);

/// <summary>POST /api/trials/{id}/metrics. (Worker, Trial, Attempt, Sequence) is the idempotency key.</summary>
public sealed record MetricBatch(Guid LeaseId, int Attempt, long Sequence, MetricPoint[] Points);

/// <summary>A verified checkpoint in the checkpoint store.</summary>
public sealed record CheckpointInfo(int Attempt, int Epoch, long Step, string Key, string Sha256, long SizeBytes, double? TestPsnr);

/// <summary>POST /api/trials/{id}/checkpoints: record a checkpoint only after it was verified in the store.</summary>
public sealed record CheckpointRecordRequest(Guid LeaseId, CheckpointInfo Checkpoint);

/// <summary>Answer to a checkpoint record: keys the retention policy says to delete (object first, then record).</summary>
public sealed record CheckpointRecordResponse(string[] Delete);

/// <summary>POST /api/trials/{id}/artifacts: an example image or feature map stored for the dashboard.</summary>
public sealed record ArtifactRecordRequest(Guid LeaseId, int Epoch, string Kind, int Axis, int Slice, string Key);

/// <summary>POST /api/trials/{id}/complete.</summary>
public sealed record TrialCompletedRequest(Guid LeaseId, int Epoch, EvalResult Result, long Parameters, double Seconds);

/// <summary>POST /api/trials/{id}/failed. Retryable failures go back to the queue while attempts remain. A diverged trial
/// (<paramref name="Diverged"/>: NaN or infinite loss or metric) is never retried: the same configuration diverges again.</summary>
public sealed record TrialFailedRequest(Guid LeaseId, string Error, bool Retryable, bool Diverged = false);

/// <summary>POST /api/trials/{id}/release: hand a lease back (worker draining); the trial is requeued without a penalty.</summary>
public sealed record TrialReleaseRequest(Guid LeaseId, string Reason);

/// <summary>POST /api/trials/{id}/log: lines for the dashboard's log tail.</summary>
public sealed record TrialLogRequest(Guid LeaseId, string[] Lines);
