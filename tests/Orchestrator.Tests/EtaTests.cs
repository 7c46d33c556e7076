using Dggrn.Orchestrator.Queries;
using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Tests;

public sealed class EtaTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Eta_uses_finished_trial_durations_credits_running_time_and_shares_the_work_among_running_trials()
    {
        // Finished: 600 s and 1000 s -> 800 s per trial. Two running, started 200 s and 900 s ago -> 600 + 0 left.
        // Three waiting -> 2400. Total 3000 s over 2 running slots = 1500 s.
        TrialTiming[] trials =
        [
            new(TrialState.Succeeded, Now.AddSeconds(-2000), Now.AddSeconds(-1400), 65, 0),
            new(TrialState.Succeeded, Now.AddSeconds(-2000), Now.AddSeconds(-1000), 65, 0),
            new(TrialState.Running, Now.AddSeconds(-200), null, 10, 65),
            new(TrialState.Leased, Now.AddSeconds(-900), null, 60, 65),
            new(TrialState.Pending, null, null, 0, 0), new(TrialState.Pending, null, null, 0, 0), new(TrialState.Pending, null, null, 0, 0),
            new(TrialState.Failed, Now.AddSeconds(-50), Now.AddSeconds(-40), 1, 0), // ended trials other than Succeeded say nothing
        ];
        Assert.Equal(1500, ExperimentEta.SecondsLeft(trials, Now)!.Value, 6);
    }

    [Fact]
    public void Eta_before_any_trial_finished_extrapolates_the_running_trials_epochs()
    {
        // 300 s for 10 of 50 epochs -> 1500 s per trial; 1200 s left on it plus one waiting (1500) = 2700 s on 1 slot.
        Assert.Equal(2700, ExperimentEta.SecondsLeft([new(TrialState.Running, Now.AddSeconds(-300), null, 10, 50), new(TrialState.Pending, null, null, 0, 0)], Now)!.Value, 6);
    }

    [Fact]
    public void Eta_is_zero_when_nothing_is_open_and_unknown_without_a_running_trial_or_a_duration()
    {
        Assert.Equal(0.0, ExperimentEta.SecondsLeft([new(TrialState.Succeeded, Now.AddSeconds(-5), Now, 65, 0), new(TrialState.Cancelled, null, null, 0, 0)], Now));
        Assert.Null(ExperimentEta.SecondsLeft([new(TrialState.Pending, null, null, 0, 0)], Now));                                   // nothing runs
        Assert.Null(ExperimentEta.SecondsLeft([new(TrialState.Succeeded, Now.AddSeconds(-9), Now, 1, 0), new(TrialState.Pending, null, null, 0, 0)], Now)); // paused: nothing runs
        Assert.Null(ExperimentEta.SecondsLeft([new(TrialState.Running, Now.AddSeconds(-9), null, 0, 10)], Now));                   // no epoch done yet
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

    [Fact]
    public void Eta_judges_each_open_trial_by_the_most_similar_finished_ones_not_by_a_mean_over_every_method()
    {
        // Finished: three bicubic evaluations (2 s each) and one DGGRN N=12 K=64 x2 training (1000 s). Their plain mean
        // (251.5 s) would promise the whole grid in minutes. Open:
        //   DGGRN N=12 K=64 x2, waiting        -> same configuration: 1000 s
        //   DGGRN N=12 K=128 x2, running 100 s -> same method: 1000 s, 900 s left
        //   NMU x2 and LRTV x2, waiting        -> no finished NMU/LRTV, same kind (evaluation only): 2 s each
        // 1000 + 900 + 2 + 2 = 1904 s of work on 1 running slot.
        TrialTiming[] trials =
        [
            new(TrialState.Succeeded, Now.AddSeconds(-3000), Now.AddSeconds(-2998), 0, 0, "bicubic", 0, 0, 2),
            new(TrialState.Succeeded, Now.AddSeconds(-3000), Now.AddSeconds(-2998), 0, 0, "bicubic", 0, 0, 3),
            new(TrialState.Succeeded, Now.AddSeconds(-3000), Now.AddSeconds(-2998), 0, 0, "bicubic", 0, 0, 4),
            new(TrialState.Succeeded, Now.AddSeconds(-2000), Now.AddSeconds(-1000), 65, 0, "dggrn", 12, 64, 2),
            new(TrialState.Pending, null, null, 0, 0, "dggrn", 12, 64, 2),
            new(TrialState.Running, Now.AddSeconds(-100), null, 3, 65, "dggrn", 12, 128, 2),
            new(TrialState.Pending, null, null, 0, 0, "nmu", 0, 0, 2),
            new(TrialState.Pending, null, null, 0, 0, "lrtv", 0, 0, 2),
        ];
        Assert.Equal(1904, ExperimentEta.SecondsLeft(trials, Now)!.Value, 6);
    }

    [Fact]
    public void Eta_ignores_evaluation_only_trials_without_a_basis_next_to_training_but_not_on_their_own()
    {
        // Nothing finished; one DGGRN trial ran 300 s for 10 of 50 epochs -> 1500 s per DGGRN trial, 1200 s left on it.
        // The waiting LRTV trial has no basis at all and is negligible next to training: 1200 s.
        TrialTiming[] withTraining =
        [
            new(TrialState.Running, Now.AddSeconds(-300), null, 10, 50, "dggrn", 8, 64, 2),
            new(TrialState.Pending, null, null, 0, 0, "lrtv", 0, 0, 2),
        ];
        Assert.Equal(1200, ExperimentEta.SecondsLeft(withTraining, Now)!.Value, 6);
        // Evaluation-only trials alone, none finished: no basis, no estimate.
        Assert.Null(ExperimentEta.SecondsLeft([new(TrialState.Running, Now.AddSeconds(-30), null, 0, 0, "nmu", 0, 0, 2), new(TrialState.Pending, null, null, 0, 0, "lrtv", 0, 0, 3)], Now));
        // A trial reused from another experiment carries no times, so it says nothing about this experiment's durations.
        var reused = TrialTiming.Of(TrialState.Succeeded, Now.AddSeconds(-10), Now, 65, Guid.NewGuid(), null, "dggrn", 8, 64, 2);
        Assert.Null(reused.StartedAt);
        Assert.Equal(1200, ExperimentEta.SecondsLeft([.. withTraining, reused], Now)!.Value, 6);
    }
}
