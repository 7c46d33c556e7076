using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Grains.Abstractions;

/// <summary>One trial (key: its id): the lease holder's lifecycle reports and user control.</summary>
/// <remarks>Calls for one trial are serialised by the grain; each is also a conditional update in PostgreSQL, which
/// stays the arbiter when the scheduler's lease scan races a report.</remarks>
public interface ITrialGrain : IGrainWithGuidKey
{
    /// <summary>Leased -> Running.</summary>
    Task<OpResult> StartedAsync(TrialStartedRequest request);
    /// <summary>-> Succeeded with the final evaluation.</summary>
    Task<OpResult> CompleteAsync(TrialCompletedRequest request);
    /// <summary>-> Pending (retryable, attempts left) or Failed.</summary>
    Task<OpResult> FailedAsync(TrialFailedRequest request);
    /// <summary>-> Pending without spending an attempt.</summary>
    Task<OpResult> ReleaseAsync(TrialReleaseRequest request);
    /// <summary>User cancel: -> Cancelled; the worker hears it in its next heartbeat.</summary>
    Task<OpResult> CancelAsync(string by);
    /// <summary>User pause: held in Pending, not leased.</summary>
    Task<OpResult> PauseAsync(string by);
    /// <summary>Undoes <see cref="PauseAsync"/>.</summary>
    Task<OpResult> ResumeAsync();
}
