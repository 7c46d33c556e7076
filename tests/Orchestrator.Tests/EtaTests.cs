using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Queries;

namespace Dggrn.Orchestrator.Tests;

public sealed class EtaTests
{
    [Fact]
    public void Eta_is_open_trials_times_mean_seconds_over_running_trials()
    {
        Assert.Equal(150.0, LabQueries.Eta(open: 10, running: 2, meanSeconds: 30));
        Assert.Equal(0.0, LabQueries.Eta(open: 0, running: 0, meanSeconds: null));
        Assert.Null(LabQueries.Eta(open: 5, running: 2, meanSeconds: null));
        Assert.Null(LabQueries.Eta(open: 5, running: 0, meanSeconds: 12));
    }

    [Fact]
    public void Before_any_trial_finishes_a_trial_is_judged_from_the_epochs_done_so_far()
    {
        var now = DateTimeOffset.Parse("2026-11-25T12:00:00Z");
        // 100 s for 2 of 10 epochs -> 500 s; 30 s for 1 of 3 epochs -> 90 s; mean 295 s.
        Assert.Equal(295.0, TrialDurations.FromProgress(
            [(now.AddSeconds(-100), 2, 10), (now.AddSeconds(-30), 1, 3)], now));
        // A trial that has not finished an epoch, or has not started, gives no basis.
        Assert.Null(TrialDurations.FromProgress([(now.AddSeconds(-100), 0, 10), (null, 3, 10)], now));
        // Past its planned epochs (a resumed run extended) it counts as done at its own elapsed time.
        Assert.Equal(60.0, TrialDurations.FromProgress([(now.AddSeconds(-60), 12, 10)], now));
    }
}
