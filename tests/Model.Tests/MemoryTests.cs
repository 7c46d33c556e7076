using System.Diagnostics;
using Dggrn.Model.Training;
using Xunit;

namespace Dggrn.Model.Tests;

[CollectionDefinition("Memory", DisableParallelization = true)]
public sealed class MemoryCollection;

/// <summary>Resident memory must stay flat over many steps (STACK.md: a dispose scope plus a GC per step).</summary>
[Collection("Memory")]
public sealed class MemoryTests
{
    sealed class RssProbe : NullTrainingCallbacks
    {
        public readonly Dictionary<long, long> Rss = [];
        public readonly Dictionary<long, long> LiveTensors = [];
        public override void OnTrainLoss(int epoch, long step, double loss)
        {
            using var p = Process.GetCurrentProcess();
            Rss[step] = p.WorkingSet64;
            LiveTensors[step] = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        }
    }

    [Fact]
    public void ResidentMemoryDoesNotGrowOverAThousandSteps()
    {
        var job = TrainerSmokeTests.TinyJob("dggrn", epochs: 1, steps: 1000) with { };
        job = job with { Options = job.Options with { LogEverySteps = 100, ExampleSlices = 0, BatchSize = 16 } };
        var probe = new RssProbe();
        Trainer.Run(job, probe, CancellationToken.None);
        // Steady state after the first 200 steps: allow 40 MB of allocator noise, far below the per-step leak
        // (hundreds of KB per step even for this tiny model) that missing disposal would show over 800 steps.
        // Tensors made on the training thread and not disposed deterministically stay counted as live (the GC's finalizer
        // thread does not decrement this thread's count), so a missing dispose scope shows up here even when RSS hides it.
        Assert.Equal(probe.LiveTensors[200], probe.LiveTensors[1000]);
        long growth = probe.Rss[1000] - probe.Rss[200];
        Assert.True(growth < 40L << 20, $"resident memory grew {growth >> 20} MB between step 200 and 1000");
    }
}
