using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service;

/// <summary>A leased trial attempt the worker is running: in a child process (<see cref="TrialSupervisor"/>) or, for trials
/// that need no isolation, inside the worker (<see cref="Trial.InlineTrial"/>).</summary>
public interface ITrialRunner
{
    /// <summary>The lease it runs.</summary>
    LeaseGrant Grant { get; }
    /// <summary>The device slot it occupies.</summary>
    string Device { get; }
    /// <summary>Progress for the next heartbeat.</summary>
    TrialProgress Progress { get; }
    /// <summary>Completes once the attempt ended and its end was reported.</summary>
    Task Finished { get; }
    /// <summary>The attempt's work is over and only its last report is in flight: its slot may be leased again.</summary>
    bool Ending { get; }
    /// <summary>Starts it.</summary>
    void Start(IReadOnlyDictionary<string, string> environment);
    /// <summary>The orchestrator cancelled it: stop at the next step (after a checkpoint).</summary>
    void Cancel();
    /// <summary>The worker drains: checkpoint at the next step and hand the lease back.</summary>
    void Drain();
    /// <summary>The orchestrator no longer recognises the lease: stop at once, report nothing.</summary>
    void KillLost();
    /// <summary>The drain deadline passed: stop at once and hand the lease back.</summary>
    void KillForDrain();
    /// <summary>Stops it when it showed no sign of life for Worker:HungTrialSeconds; true when it did.</summary>
    bool CheckHung(DateTimeOffset now);
}
