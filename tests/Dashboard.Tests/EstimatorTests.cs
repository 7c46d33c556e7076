using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Services;
using Dggrn.Dashboard.Services.ReadModels;

namespace Dggrn.Dashboard.Tests;

/// <summary>Parallel-coordinate axes against hand-computed values (the ETA is tested with its code, in Orchestrator.Tests/EtaTests).</summary>
public sealed class EstimatorTests
{
    [Fact]
    public void Parallel_axes_keep_varying_hyper_parameters_and_code_categories()
    {
        TrialFacts T(string method, int filters, double lr) => new()
        {
            Id = Guid.NewGuid(), Key = $"{method}{filters}", Method = method, Dataset = "NAMIC", Blocks = 8, Filters = filters, Scale = 2,
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
