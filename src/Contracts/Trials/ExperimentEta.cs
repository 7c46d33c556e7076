namespace Dggrn.Contracts.Trials;

/// <summary>What an ETA needs to know about one trial. <see cref="Epochs"/> (planned) matters only for running trials.</summary>
public readonly record struct TrialTiming(TrialState State, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Epoch, int Epochs);

/// <summary>Seconds left in an experiment: one estimate for `dggrn status`, the API and the dashboard.</summary>
/// <remarks>
/// A trial lasts the mean wall time (start to finish) of the experiment's succeeded trials, or, before any finished, the
/// running trials' elapsed time scaled to their planned epochs (<see cref="TrialDurations.FromProgress"/>). Work left is
/// that for every waiting trial plus what remains of every running one (credit for the time it already ran), shared by
/// as many trials as are running now.
/// </remarks>
public static class ExperimentEta
{
    /// <summary>0 when no trial is open; null while nothing runs (paused, no worker) or nothing gives a duration yet.</summary>
    public static double? SecondsLeft(IReadOnlyCollection<TrialTiming> trials, DateTimeOffset now)
    {
        var waiting = trials.Count(t => t.State == TrialState.Pending);
        var running = trials.Where(t => t.State is TrialState.Running or TrialState.Leased).ToList();
        if (waiting == 0 && running.Count == 0) return 0;
        if (running.Count == 0) return null;
        var finished = trials.Where(t => t.State == TrialState.Succeeded && t.StartedAt is not null && t.FinishedAt is not null)
            .Select(t => (t.FinishedAt!.Value - t.StartedAt!.Value).TotalSeconds).ToList();
        var perTrial = finished.Count > 0 ? finished.Average()
            : TrialDurations.FromProgress(running.Select(t => (t.StartedAt, t.Epoch, t.Epochs)), now);
        if (perTrial is not { } d) return null;
        var left = waiting * d + running.Sum(t => Math.Max(0, d - (t.StartedAt is { } s ? (now - s).TotalSeconds : 0)));
        return left / running.Count;
    }
}
