using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Scheduling;
using Orleans.Concurrency;

namespace Dggrn.Orchestrator.Grains.Abstractions;

/// <summary>One trial (key: its id). It holds the trial's live lease and decides every report against it before writing it
/// through to PostgreSQL; user control goes through it too.</summary>
/// <remarks>The lease it holds is what PostgreSQL recorded when the grain last read or wrote it; every write still conditions
/// on the live lease in PostgreSQL, and a refusal is confirmed against a fresh read, so a grain that missed a change made
/// elsewhere (a lease scan, another silo) never decides wrongly. A new activation (after a silo died) reads the row again.</remarks>
public interface ITrialGrain : IGrainWithGuidKey
{
    /// <summary>Applies <paramref name="reports"/> of <paramref name="workerId"/> about this trial, in phase order (started,
    /// metrics, log, complete, failed, release); one outcome per report, in the order given.</summary>
    Task<Outcome[]> ApplyAsync(string workerId, WorkerReport[] reports);
    /// <summary>Records a verified checkpoint of the worker's attempt; answers the keys retention says to delete.</summary>
    Task<CheckpointReply> RecordCheckpointAsync(string workerId, CheckpointRecordRequest request);
    /// <summary>Records an example image of the worker's attempt.</summary>
    Task<Outcome> RecordArtifactAsync(string workerId, ArtifactRecordRequest request);
    /// <summary>The worker lease <paramref name="leaseId"/> was granted to, when this activation saw it granted; otherwise the
    /// worker holding the trial's lease, or the last one that did. Null for an unknown trial or one never leased.</summary>
    Task<string?> HolderAsync(Guid leaseId);
    /// <summary>The scheduler granted a lease (saves the grain a read before the worker's first report).</summary>
    [OneWay] Task GrantedAsync(TrialLease lease);
    /// <summary>The holder's heartbeat renewed the lease until <paramref name="expiresAt"/>.</summary>
    [OneWay] Task RenewedAsync(Guid leaseId, DateTimeOffset expiresAt);
    /// <summary>The trial changed without this grain (lease scan, experiment-wide control): read it again when next needed.</summary>
    [OneWay] Task ForgetAsync();
    /// <summary>User cancel: -> Cancelled; the worker hears it in its next heartbeat.</summary>
    Task<Outcome> CancelAsync(string by);
    /// <summary>User pause: held in Pending, not leased.</summary>
    Task<Outcome> PauseAsync(string by);
    /// <summary>Undoes <see cref="PauseAsync"/>.</summary>
    Task<Outcome> ResumeAsync();
}
