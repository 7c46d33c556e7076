using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Model.Metrics;
using Dggrn.Model.Training;

namespace Dggrn.Worker.Service.Trial;

/// <summary>The one place where the wire contracts meet the model library's training API.</summary>
public static class TrainingMapping
{
    /// <summary>Fixed test slices rendered as example images at each evaluation.</summary>
    public const int ExampleSlices = 1;

    /// <summary>The trainer's job for a leased trial.</summary>
    public static TrainingJob ToJob(TrialConfig c, string device, int threads, byte[]? resume) => new()
    {
        Method = c.Method,
        Blocks = c.Blocks,
        Filters = c.Filters,
        Scale = c.Scale,
        Seed = c.Seed,
        TrainSources = c.Dataset.Train,
        TestSources = c.Dataset.Test,
        Params = c.Params,
        Resume = resume,
        Options = new TrainerOptions
        {
            Epochs = c.Training.Epochs,
            BatchSize = c.Training.BatchSize,
            LearningRate = c.Training.LearningRate,
            LrDecay = c.Training.LrDecay,
            LrDecayEvery = c.Training.LrDecayEvery,
            PatchSize = c.Training.PatchSize,
            PatchStride = c.Training.PatchStride,
            StepsPerEpoch = c.Training.StepsPerEpoch,
            EarlyStopPatience = c.Training.EarlyStopPatience,
            CheckpointEvery = c.Training.CheckpointEvery,
            Augment = c.Training.Augment,
            ElasticProbability = c.Training.ElasticProbability,
            TrainAxes = c.Training.TrainAxes,
            TestAxes = c.Training.TestAxes,
            LogEverySteps = c.Training.LogEverySteps,
            Threads = threads,
            Device = device,
            Protocol = c.Protocol,
            ExampleSlices = ExampleSlices,
        },
    };

    /// <summary>The wire form of an evaluation.</summary>
    public static EvalResult ToResult(Evaluation e) => new()
    {
        Method = e.Method,
        Volume = e.Volume,
        Scale = e.Scale,
        Protocol = e.Protocol,
        Axes = e.Axes.ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => ToAxis(kv.Value)),
        Overall = ToAxis(e.Overall),
    };

    /// <summary>The per-epoch metric points (names per COMMON.md), all at the epoch's last global step.</summary>
    public static MetricPoint[] EpochPoints(EpochReport r, DateTimeOffset at)
    {
        var points = new List<MetricPoint>
        {
            new("train/epoch_loss", r.Step, r.Epoch, r.TrainLoss, at),
            new("lr", r.Step, r.Epoch, r.LearningRate, at),
            new("epoch/seconds", r.Step, r.Epoch, r.Seconds, at),
        };
        if (r.Test.Overall.Slices > 0)
        {
            points.Add(new("test/psnr", r.Step, r.Epoch, r.Test.Overall.Psnr, at));
            points.Add(new("test/ssim", r.Step, r.Epoch, r.Test.Overall.Ssim, at));
        }
        foreach (var (axis, a) in r.Test.Axes.OrderBy(kv => kv.Key))
        {
            if (a.Slices == 0) continue;
            points.Add(new($"test/psnr/axis{axis}", r.Step, r.Epoch, a.Psnr, at));
            points.Add(new($"test/ssim/axis{axis}", r.Step, r.Epoch, a.Ssim, at));
        }
        return [.. points];
    }

    static AxisResult ToAxis(AxisEvaluation a) => new()
    {
        Slices = a.Slices,
        Psnr = a.Psnr,
        Ssim = a.Ssim,
        PerSlicePsnr = a.PerSlicePsnr,
        PerSliceSsim = a.PerSliceSsim,
    };
}
