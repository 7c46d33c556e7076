using Dggrn.Model.Training;
using Xunit;

namespace Dggrn.Model.Tests;

public sealed class ResumeTests
{
    static TrainingJob Job() => TrainerSmokeTests.TinyJob("dggrn", epochs: 2, steps: 5) with { };

    /// <summary>Cancels when the given global step's loss is reported, so the next step boundary checkpoints mid-epoch.</summary>
    sealed class CancelAt(long step, CancellationTokenSource cts) : NullTrainingCallbacks
    {
        public CheckpointBlob? Last;
        public override void OnTrainLoss(int epoch, long s, double loss) { if (s == step) cts.Cancel(); }
        public override void OnCheckpoint(CheckpointBlob c) => Last = c;
    }

    [Theory]
    [InlineData(2L)] // mid-epoch 1
    [InlineData(6L)] // mid-epoch 2 (after an end-of-epoch checkpoint)
    public void InterruptedAndResumedRunIsBitIdenticalToAnUninterruptedOne(long cancelAfter)
    {
        var job = Job() with { Options = Job().Options with { LogEverySteps = 1, ExampleSlices = 0 } };
        var straight = new RecordingCallbacks();
        var expected = Trainer.Run(job, straight, CancellationToken.None);

        using var cts = new CancellationTokenSource();
        var first = new CancelAt(cancelAfter, cts);
        Assert.Throws<OperationCanceledException>(() => Trainer.Run(job, first, cts.Token));
        Assert.NotNull(first.Last);
        Assert.False(first.Last!.EndOfEpoch);
        Assert.Equal(cancelAfter, first.Last.Step);

        var resumed = new RecordingCallbacks();
        var actual = Trainer.Run(job with { Resume = first.Last.Data }, resumed, CancellationToken.None);

        // The final checkpoints hold weights, Adam state, RNG state and loop position: byte equality means bit-identical weights.
        Assert.Equal(straight.Checkpoints[^1].Data, resumed.Checkpoints[^1].Data);
        Assert.Equal(expected.TrainLoss, actual.TrainLoss);
        Assert.Equal(expected.Test.Overall.Psnr, actual.Test.Overall.Psnr);
        Assert.Equal(expected.Test.Overall.Ssim, actual.Test.Overall.Ssim);
        Assert.Equal(straight.Losses.Where(l => l.Step > cancelAfter), resumed.Losses);
        Assert.Equal(straight.Epochs[^1].TrainLoss, resumed.Epochs[^1].TrainLoss);
    }

    [Fact]
    public void SameSeedGivesTheSameWeights()
    {
        var job = Job() with { Options = Job().Options with { Epochs = 1, ExampleSlices = 0 } };
        var a = new RecordingCallbacks();
        var b = new RecordingCallbacks();
        Trainer.Run(job, a, CancellationToken.None);
        Trainer.Run(job, b, CancellationToken.None);
        Assert.Equal(a.Checkpoints[^1].Data, b.Checkpoints[^1].Data);
        var c = new RecordingCallbacks();
        Trainer.Run(job with { Seed = job.Seed + 1 }, c, CancellationToken.None);
        Assert.NotEqual(a.Checkpoints[^1].Data, c.Checkpoints[^1].Data);
    }

    [Fact]
    public void ResumeRejectsACheckpointOfAnotherConfiguration()
    {
        var cb = new RecordingCallbacks();
        var job = Job() with { Options = Job().Options with { Epochs = 1, ExampleSlices = 0 } };
        Trainer.Run(job, cb, CancellationToken.None);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Run(job with { Filters = 16, Resume = cb.Checkpoints[0].Data }, new RecordingCallbacks(), CancellationToken.None));
        Assert.Contains("K=16", e.Message);
        Assert.Contains("found dggrn N=2 K=8", e.Message);
    }

    [Fact]
    public void TruncatedCheckpointGivesAClearError()
    {
        var cb = new RecordingCallbacks();
        var job = Job() with { Options = Job().Options with { Epochs = 1, ExampleSlices = 0 } };
        Trainer.Run(job, cb, CancellationToken.None);
        var cut = cb.Checkpoints[0].Data[..(cb.Checkpoints[0].Data.Length / 2)];
        var e = Assert.Throws<InvalidDataException>(() => Trainer.Run(job with { Resume = cut }, new RecordingCallbacks(), CancellationToken.None));
        Assert.Contains("truncated", e.Message);
    }
}
