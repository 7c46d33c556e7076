using Dggrn.Model.Models;
using Dggrn.Model.Numerics;
using static TorchSharp.torch;

namespace Dggrn.Model.Training;

/// <summary>Runs the numerics self-check on the network a job trains, at the thread count it trains with, before any step.</summary>
public static class NumericsGuard
{
    /// <summary>The probe for a network: its real N, K and scale, at the trial's patch size and a small batch.</summary>
    public static NumericsProbe ProbeFor(string method, int blocks, int filters, int scale, TrainerOptions o) =>
        new(method.ToLowerInvariant(), blocks, filters, scale, Batch: Math.Clamp(o.BatchSize, 1, 8), Patch: o.PatchSize);

    /// <summary>Checks the job's network (nothing for methods without one) and leaves the process on the fastest correct path;
    /// throws <see cref="NumericsException"/> when there is none.</summary>
    public static NumericsReport? Ensure(TrainingJob job, Device device)
    {
        if (!ModelRegistry.IsTrainable(job.Method)) return null;
        if (job.Options.Threads > 0) set_num_threads(job.Options.Threads);
        var report = NumericsCheck.Select([ProbeFor(job.Method, job.Blocks, job.Filters, job.Scale, job.Options)], device);
        return report.Passed ? report : throw new NumericsException(report);
    }
}
