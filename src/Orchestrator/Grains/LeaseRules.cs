using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Grains;

/// <summary>Which report a trial accepts, from whom, in which state: the trial grain's decisions over the lease it holds.</summary>
public static class LeaseRules
{
    /// <summary>Null: write the report. <see cref="Outcome.Ok"/>: an exact retry of one already applied (nothing to write).
    /// Otherwise why it is refused.</summary>
    /// <param name="trialId">The trial.</param>
    /// <param name="lease">The trial's lease as last known; null when the trial does not exist.</param>
    /// <param name="worker">The worker reporting.</param>
    /// <param name="leaseId">The lease the report names.</param>
    /// <param name="kind">The report's kind (<see cref="Dggrn.Contracts.Api.WorkerReport.Phases"/>, or "checkpoint", "artifact").</param>
    /// <param name="attempt">The attempt a metric batch names (it must be the lease's).</param>
    public static Outcome? Check(Guid trialId, TrialLease? lease, string worker, Guid leaseId, string kind, int? attempt = null)
    {
        if (lease is null) return Outcome.NotFound($"trial {trialId} does not exist");
        if (lease.LeaseId != leaseId) return Outcome.NotLive($"lease {leaseId} is not the live lease of trial {trialId} (state {lease.State})");
        // A lease id names one grant to one worker: presented by another worker it is refused outright.
        if (lease.WorkerId != worker) return Outcome.NotHolder($"lease {leaseId} of trial {trialId} is not held by worker {worker}");
        if (attempt is int a && a != lease.Attempt)
            return Outcome.NotLive($"lease {leaseId} (attempt {a}) is not the live lease of trial {trialId} (attempt {lease.Attempt})");
        var (applies, retried) = kind switch
        {
            "started" => (lease.State == TrialState.Leased, lease.State is TrialState.Running or TrialState.Succeeded),
            "complete" => (lease.State is TrialState.Leased or TrialState.Running, lease.State == TrialState.Succeeded),
            "failed" or "release" => (lease.State is TrialState.Leased or TrialState.Running, false),
            // Records that change no state need only the lease: late metrics, log lines and checkpoints of a finished attempt
            // still belong to it (the lease id stays on a Succeeded or Cancelled trial; it is cleared on failure and release).
            _ => (true, false),
        };
        return applies ? null : retried ? Outcome.Ok : Outcome.NotLive($"trial {trialId} is {lease.State}; the {kind} report does not apply");
    }
}
