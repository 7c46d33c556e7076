using Dggrn.Model.Training;
using Xunit;

namespace Dggrn.Model.Tests;

/// <summary>Records everything a trainer reports.</summary>
sealed class RecordingCallbacks : NullTrainingCallbacks
{
    public List<EpochReport> Epochs { get; } = [];
    public List<CheckpointBlob> Checkpoints { get; } = [];
    public List<(int Epoch, long Step, double Loss)> Losses { get; } = [];
    public List<ExampleImage> Images { get; } = [];
    public Action<CheckpointBlob>? OnCheckpointHook { get; init; }
    public override void OnEpoch(EpochReport report) => Epochs.Add(report);
    public override void OnCheckpoint(CheckpointBlob checkpoint) { Checkpoints.Add(checkpoint); OnCheckpointHook?.Invoke(checkpoint); }
    public override void OnTrainLoss(int epoch, long step, double loss) => Losses.Add((epoch, step, loss));
    public override void OnExamples(int epoch, IReadOnlyList<ExampleImage> images) => Images.AddRange(images);
}

public sealed class TrainerSmokeTests
{
    internal static TrainingJob TinyJob(string method, int epochs = 2, int steps = 4) => new()
    {
        Method = method, Blocks = 2, Filters = 8, Scale = 2, Seed = 7,
        TrainSources = ["phantom:seed=1,grid=32x36x30"],
        TestSources = ["phantom:seed=3,grid=32x36x30"],
        Options = new TrainerOptions { Epochs = epochs, StepsPerEpoch = steps, BatchSize = 8, LogEverySteps = 2, Threads = 1, TestAxes = [2], ExampleSlices = 1 },
    };

    [Fact]
    public void DggrnTrainsReportsEveryEpochAndCheckpoints()
    {
        var cb = new RecordingCallbacks();
        var result = Trainer.Run(TinyJob("dggrn"), cb, CancellationToken.None);
        Assert.Equal(2, result.Epoch);
        Assert.Equal([1, 2], cb.Epochs.Select(e => e.Epoch));
        Assert.Equal([4L, 8L], cb.Epochs.Select(e => e.Step));
        Assert.Equal([2L, 4L, 6L, 8L], cb.Losses.Select(l => l.Step));
        Assert.Equal(2, cb.Checkpoints.Count);
        Assert.All(cb.Checkpoints, c => Assert.True(c.EndOfEpoch));
        Assert.True(result.Test.Overall.Slices > 0);
        Assert.InRange(result.Test.Overall.Psnr, 5, 60);
        Assert.Equal(result.Test.Overall.Slices, result.Test.Axes[2].Slices);
        Assert.Contains(cb.Images, i => i.Kind == "gm");
        Assert.All(cb.Images, i => Assert.Equal(0x89, i.Png[0]));
    }

    [Fact]
    public void BicubicEvaluatesOnceWithoutTraining()
    {
        var cb = new RecordingCallbacks();
        var result = Trainer.Run(TinyJob("bicubic"), cb, CancellationToken.None);
        Assert.Single(cb.Epochs);
        Assert.Equal(0, result.Parameters);
        Assert.True(result.Test.Overall.Slices > 0);
        Assert.Empty(cb.Checkpoints);
    }

    [Fact]
    public void NoopReturnsAnEmptyEvaluationImmediately()
    {
        var result = Trainer.Run(TinyJob("noop"), new RecordingCallbacks(), CancellationToken.None);
        Assert.Equal(0, result.Test.Overall.Slices);
        Assert.Empty(result.Test.Axes);
    }

    [Fact]
    public void CancellationCheckpointsMidEpochThenThrows()
    {
        using var cts = new CancellationTokenSource();
        var cb = new RecordingCallbacks();
        var job = TinyJob("resnet", epochs: 3);
        // Cancel as soon as the first end-of-epoch checkpoint is durable: the next step boundary must stop.
        var cb2 = new RecordingCallbacks { OnCheckpointHook = c => { if (c.EndOfEpoch) cts.Cancel(); } };
        Assert.Throws<OperationCanceledException>(() => Trainer.Run(job, cb2, cts.Token));
        Assert.Equal(2, cb2.Checkpoints.Count);
        Assert.False(cb2.Checkpoints[1].EndOfEpoch);
        Assert.Equal(2, cb2.Checkpoints[1].Epoch);
        Assert.Equal(4, cb2.Checkpoints[1].Step);
    }

    [Fact]
    public void EarlyStopEndsTrainingWhenPsnrStopsImproving()
    {
        // Learning rate 0: the weights never change, so epoch 2's PSNR equals epoch 1's and patience 1 stops there.
        var job = TinyJob("resnet", epochs: 5, steps: 2);
        job = job with { Options = job.Options with { LearningRate = 0, EarlyStopPatience = 1, ExampleSlices = 0 } };
        var cb = new RecordingCallbacks();
        var result = Trainer.Run(job, cb, CancellationToken.None);
        Assert.Equal(2, result.Epoch);
        Assert.Equal(2, cb.Epochs.Count);
        Assert.Equal(cb.Epochs[0].Test.Overall.Psnr, cb.Epochs[1].Test.Overall.Psnr);
        Assert.True(cb.Checkpoints[^1].EndOfEpoch);
        Assert.Equal(2, cb.Checkpoints[^1].Epoch);
    }

    [Fact]
    public void LearningRateDecaysEveryTwentyEpochs()
    {
        var o = new TrainerOptions();
        Assert.Equal(1e-4, Trainer.LearningRateAt(o, 1));
        Assert.Equal(1e-4, Trainer.LearningRateAt(o, 20));
        Assert.Equal(0.9e-4, Trainer.LearningRateAt(o, 21), 15);
        Assert.Equal(0.81e-4, Trainer.LearningRateAt(o, 41), 15);
        Assert.Equal(0.729e-4, Trainer.LearningRateAt(o, 65), 15);
    }

    [Fact]
    public void TrainAndTestVolumesMustBeDisjoint()
    {
        var job = TinyJob("dggrn") with { TestSources = ["phantom:seed=1,grid=32x36x30"] };
        var e = Assert.Throws<ArgumentException>(() => Trainer.Run(job, new RecordingCallbacks(), CancellationToken.None));
        Assert.Contains("found phantom:seed=1,grid=32x36x30 in both", e.Message);
    }
}
