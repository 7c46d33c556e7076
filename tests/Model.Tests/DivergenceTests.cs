using Dggrn.Model.Training;
using Xunit;

namespace Dggrn.Model.Tests;

/// <summary>A trial whose loss or metrics become NaN or infinite stops with one clear line and keeps its last good checkpoint.</summary>
public sealed class DivergenceTests
{
    /// <summary>Epoch 1 trains at 1e-4; the decay then multiplies the rate by 1e7, so epoch 2 blows up.</summary>
    static TrainingJob DivergesInEpochTwo() => TrainerSmokeTests.TinyJob("dggrn", epochs: 4, steps: 4) with
    {
        Options = TrainerSmokeTests.TinyJob("dggrn").Options with { Epochs = 4, StepsPerEpoch = 4, LrDecay = 1e7, LrDecayEvery = 1, ExampleSlices = 0 },
    };

    [Fact]
    public void DivergenceStopsWithEpochStepAndQuantityAndKeepsTheLastGoodCheckpoint()
    {
        var cb = new RecordingCallbacks();
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Run(DivergesInEpochTwo(), cb, CancellationToken.None));
        Assert.Matches(@"^diverged at epoch 2, step [5-8]: (loss (NaN|\+Inf|-Inf)|test (PSNR|SSIM) NaN)$", e.Message);
        Assert.Equal(2, e.Epoch);
        // Epoch 1 finished, was evaluated and checkpointed; nothing of epoch 2 was.
        Assert.Equal([1], cb.Epochs.Select(x => x.Epoch));
        var last = Assert.Single(cb.Checkpoints);
        Assert.Equal(1, last.Epoch);
        Assert.True(double.IsFinite(last.TestPsnr!.Value));
        Assert.All(cb.Losses, l => Assert.True(double.IsFinite(l.Loss), $"step {l.Step}: {l.Loss}"));
        // The kept checkpoint is good: resuming from it reproduces epoch 1's evaluation exactly.
        var header = CheckpointCodec.ReadHeader(last.Data, "checkpoint");
        Assert.Equal(2, header.Epoch);
        Assert.Equal(cb.Epochs[0].Test.Overall.Psnr, header.BestPsnr);
    }

    [Fact]
    public void TrainCommandPrintsTheDivergenceAsOneLineAndFails()
    {
        var (code, _, err) = WorkerCli.Run("train", "--model", "dggrn", "--blocks", "2", "--filters", "8", "--scale", "2", "--train", "phantom:seed=1,grid=32x36x30",
            "--test", "phantom:seed=2,grid=32x36x30", "--epochs", "2", "--steps-per-epoch", "4", "--threads", "1", "--lr", "1e8");
        Assert.Equal(1, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim('\r')).Where(l => l.StartsWith("dggrn train:")).ToList();
        Assert.Matches(@"^dggrn train: diverged at epoch 1, step \d+: loss (NaN|\+Inf)$", Assert.Single(lines));
        Assert.DoesNotContain("Exception", err);
    }

    [Fact]
    public void BenchTrainFailsTheSameWayOnADivergingBareLoop()
    {
        var (code, _, err) = WorkerCli.Run("bench", "train", "--model", "resnet", "--blocks", "1", "--filters", "8", "--steps", "3", "--warmup", "1", "--rounds", "1",
            "--threads", "1", "--lr", "1e8", "--train", "phantom:seed=1,grid=32x36x30");
        Assert.Equal(1, code);
        Assert.Matches(@"dggrn bench: diverged at epoch 1, step \d+: loss (NaN|\+Inf)", err);
        Assert.DoesNotContain("Exception", err);
    }
}
