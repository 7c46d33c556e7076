using Dggrn.Contracts.Storage;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Services;

namespace Dggrn.Dashboard.Tests;

/// <summary>ETA and parallel-coordinate axes against hand-computed values.</summary>
public sealed class EstimatorTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Eta_uses_finished_trial_durations_and_the_running_parallelism()
    {
        // Finished: 600 s and 1000 s -> 800 s per trial. Two running, started 200 s and 900 s ago -> 600 + 0 left.
        // Three waiting -> 2400. Total 3000 s over 2 running slots = 1500 s.
        var trials = new List<TrialTiming>
        {
            new(TrialState.Succeeded, Now.AddSeconds(-2000), Now.AddSeconds(-1400), 65, 65),
            new(TrialState.Succeeded, Now.AddSeconds(-2000), Now.AddSeconds(-1000), 65, 65),
            new(TrialState.Running, Now.AddSeconds(-200), null, 10, 65),
            new(TrialState.Running, Now.AddSeconds(-900), null, 60, 65),
            new(TrialState.Pending, null, null, 0, 65), new(TrialState.Pending, null, null, 0, 65), new(TrialState.Pending, null, null, 0, 65),
        };
        Assert.Equal(1500, EtaEstimator.SecondsLeft(trials, Now)!.Value, 6);
    }

    [Fact]
    public void Eta_without_finished_trials_extrapolates_epoch_speed()
    {
        // 300 s for 10 of 50 epochs -> 1500 s per trial; 1200 s left on it plus one waiting (1500) = 2700 s on 1 slot.
        var trials = new List<TrialTiming> { new(TrialState.Running, Now.AddSeconds(-300), null, 10, 50), new(TrialState.Pending, null, null, 0, 50) };
        Assert.Equal(2700, EtaEstimator.SecondsLeft(trials, Now)!.Value, 6);
    }

    [Fact]
    public void Eta_is_unknown_before_any_epoch_and_absent_when_done()
    {
        Assert.Null(EtaEstimator.SecondsLeft([new(TrialState.Pending, null, null, 0, 65)], Now));
        Assert.Null(EtaEstimator.SecondsLeft([new(TrialState.Succeeded, Now.AddSeconds(-5), Now, 65, 65)], Now));
    }

    [Fact]
    public void Parallel_axes_keep_varying_hyper_parameters_and_code_categories()
    {
        TrialEntity T(string method, int filters, double lr) => new()
        {
            Id = Guid.NewGuid(), Key = $"{method}{filters}", Identity = "x", Method = method, Dataset = "NAMIC", Blocks = 8, Filters = filters, Scale = 2,
            ConfigJson = $$$"""{"method":"{{{method}}}","filters":{{{filters}}},"dataset":{"name":"NAMIC","train":[],"test":[]},"training":{"learningRate":{{{lr.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}}}""",
        };
        var trials = new[] { T("resnet", 64, 1e-4), T("dggrn", 32, 1e-4), T("dggrn", 128, 1e-3), T("dggrn", 64, 1e-4) };
        var psnr = new Dictionary<Guid, double> { [trials[0].Id] = 37.0, [trials[1].Id] = 37.1, [trials[2].Id] = 37.3 }; // the 4th has none
        var axes = ParallelAxes.Build(trials, psnr);
        Assert.Equal(["method", "filters", "learning rate", "final PSNR"], axes.Select(a => a.Label).ToArray());
        Assert.Equal([1.0, 0.0, 0.0], axes[0].Values.ToArray());          // dggrn = 0, resnet = 1 (sorted)
        Assert.Equal(["dggrn", "resnet"], axes[0].TickText!.ToArray());
        Assert.Equal([64.0, 32.0, 128.0], axes[1].Values.ToArray());
        Assert.Equal([1e-4, 1e-4, 1e-3], axes[2].Values.ToArray());
        Assert.Equal([37.0, 37.1, 37.3], axes[3].Values.ToArray());
    }
}
