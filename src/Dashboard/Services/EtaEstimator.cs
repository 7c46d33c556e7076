using Dggrn.Contracts.Trials;

namespace Dggrn.Dashboard.Services;

/// <summary>What the ETA needs to know about one trial.</summary>
public readonly record struct TrialTiming(TrialState State, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Epoch, int Epochs);

/// <summary>Estimates the seconds left in an experiment from its trials' timings.</summary>
/// <remarks>
/// A trial's duration is the mean of the finished (succeeded) trials, or failing that the running trials'
/// seconds per epoch times their epochs. Work left is that duration for every waiting trial plus the
/// unfinished share of every running one, spread over as many trials as are running now (at least one).
/// </remarks>
public static class EtaEstimator
{
    /// <summary>Seconds left, or null when nothing has run long enough to estimate or nothing is left.</summary>
    public static double? SecondsLeft(IReadOnlyCollection<TrialTiming> trials, DateTimeOffset now)
    {
        var waiting = trials.Count(t => t.State == TrialState.Pending);
        var running = trials.Where(t => t.State is TrialState.Running or TrialState.Leased).ToList();
        if (waiting == 0 && running.Count == 0) return null;

        var done = trials.Where(t => t.State == TrialState.Succeeded && t.StartedAt is not null && t.FinishedAt is not null)
            .Select(t => (t.FinishedAt!.Value - t.StartedAt!.Value).TotalSeconds).ToList();
        double? perTrial = done.Count > 0 ? done.Average() : null;
        if (perTrial is null)
        {
            perTrial = TrialDurations.FromProgress(running.Select(t => (t.StartedAt, t.Epoch, t.Epochs)), now);
            if (perTrial is null) return null;
        }

        var left = waiting * perTrial.Value;
        foreach (var t in running)
        {
            var elapsed = t.StartedAt is { } s ? (now - s).TotalSeconds : 0;
            left += Math.Max(0, perTrial.Value - elapsed);
        }
        return left / Math.Max(1, running.Count);
    }
}
