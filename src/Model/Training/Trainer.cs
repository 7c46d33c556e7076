using System.Diagnostics;
using Dggrn.Model.Classical;
using Dggrn.Model.Metrics;
using Dggrn.Model.Models;
using Dggrn.Model.Pipeline;
using Dggrn.Model.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Dggrn.Model.Training;

/// <summary>Trains and evaluates one trial.</summary>
/// <remarks>Deterministic on CPU for a given seed and thread count. Cancellation is checked at every step boundary: the trainer
/// then reports a mid-epoch checkpoint through <see cref="ITrainingCallbacks.OnCheckpoint"/> and throws
/// <see cref="OperationCanceledException"/>. Resuming from any checkpoint gives the weights and metrics of an uninterrupted run.</remarks>
public static class Trainer
{
    /// <summary>Runs <paramref name="job"/>, reporting through <paramref name="callbacks"/>.</summary>
    public static TrainingResult Run(TrainingJob job, ITrainingCallbacks callbacks, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var o = job.Options;
        string volumeName = string.Join(",", job.TestSources.Select(VolumeLoader.DisplayName));
        if (job.Method.Equals("noop", StringComparison.OrdinalIgnoreCase))
            return new TrainingResult(0, 0, Evaluation.Empty(job.Method, volumeName, job.Scale, o.Protocol), 0, clock.Elapsed.TotalSeconds);
        if (o.Protocol != "dggrn-v1") throw new ArgumentException($"protocol: expected dggrn-v1, found '{o.Protocol}'");
        if (job.Params is { Count: > 0 } && !ClassicalMethods.IsClassical(job.Method))
            throw new ArgumentException($"params: method '{job.Method}' takes no parameters, found {string.Join(", ", job.Params.Keys)}");
        // Validate classical parameters before loading any volume, so a bad value fails at once.
        var classical = ClassicalMethods.IsClassical(job.Method) ? ClassicalMethods.Create(job.Method, job.Params) : null;
        ct.ThrowIfCancellationRequested();
        var test = LoadSlices(job.TestSources, job.Scale, o.TestAxes, callbacks, "test");
        if (job.Method.Equals("bicubic", StringComparison.OrdinalIgnoreCase))
        {
            var eval = Evaluator.Evaluate("bicubic", volumeName, job.Scale, o.Protocol, test, s => Evaluator.BicubicResolver(s, job.Scale));
            callbacks.OnEpoch(new EpochReport(0, 0, 0, 0, clock.Elapsed.TotalSeconds, eval));
            if (o.ExampleSlices > 0)
                callbacks.OnExamples(0, Examples.Pick(test, o.ExampleSlices).SelectMany(s => Examples.Render(s, job.Scale, null, null)).ToList());
            return new TrainingResult(0, 0, eval, 0, clock.Elapsed.TotalSeconds);
        }
        if (classical is not null) return RunClassical(job, classical, test, volumeName, callbacks, clock, ct);
        if (!ModelRegistry.IsTrainable(job.Method))
            throw new ArgumentException($"method: expected one of {string.Join(", ", ModelRegistry.Names)}, found '{job.Method}'");
        // Split by subject: a volume used for training must never be a test volume (slices of one head are correlated).
        var shared = job.TrainSources.Intersect(job.TestSources, StringComparer.Ordinal).ToList();
        if (shared.Count > 0)
            throw new ArgumentException($"datasets: expected disjoint train and test volumes (split by subject), found {string.Join(", ", shared)} in both");
        var train = LoadSlices(job.TrainSources, job.Scale, o.TrainAxes, callbacks, "train");
        var sampler = new PatchSampler(train, job.Scale, o.PatchSize, o.PatchStride, job.Seed, o.Augment, o.ElasticProbability);
        if (sampler.Count == 0) throw new ArgumentException("training data: expected at least one foreground patch, found none");
        using var session = new TrainingSession(job, sampler, test, callbacks);
        return session.Run(clock, ct);
    }

    /// <summary>An untrained reconstruction (nmu, lrtv): one evaluation reported as epoch 0 with example images, like bicubic;
    /// slices run in parallel on <see cref="TrainerOptions.Threads"/> threads (0: all processors).</summary>
    static TrainingResult RunClassical(TrainingJob job, Func<Image2D, int, CancellationToken, Image2D> upscale, List<SlicePair> test,
        string volumeName, ITrainingCallbacks callbacks, Stopwatch clock, CancellationToken ct)
    {
        var o = job.Options;
        string method = job.Method.ToLowerInvariant();
        callbacks.OnLog($"{method}: reconstructing {test.Count} test slices at x{job.Scale}");
        var eval = Evaluator.Evaluate(method, volumeName, job.Scale, o.Protocol, test,
            s => ClassicalMethods.Resolve(s, job.Scale, o.Threads, upscale, ct));
        callbacks.OnEpoch(new EpochReport(0, 0, 0, 0, clock.Elapsed.TotalSeconds, eval));
        if (o.ExampleSlices > 0)
            callbacks.OnExamples(0, Examples.Pick(test, o.ExampleSlices)
                .SelectMany(s => Examples.Render(s, job.Scale, upscale(s.Lr, job.Scale, ct), null)).ToList());
        return new TrainingResult(0, 0, eval, 0, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Loads volumes and builds their kept slice pairs (volume index = position in the list).</summary>
    public static List<SlicePair> LoadSlices(IReadOnlyList<string> sources, int scale, IEnumerable<int> axes, ITrainingCallbacks? log = null, string role = "")
    {
        var all = new List<SlicePair>();
        for (int v = 0; v < sources.Count; v++)
        {
            var vol = VolumeLoader.Load(sources[v]);
            var pairs = SlicePairs.Build(vol, v, scale, axes);
            log?.OnLog($"{role} volume {VolumeLoader.DisplayName(sources[v])}: {vol.Nx}x{vol.Ny}x{vol.Nz}, {pairs.Count} kept slices");
            all.AddRange(pairs);
        }
        return all;
    }

    /// <summary>Learning rate of a 1-based epoch: base * decay^floor((epoch - 1) / every).</summary>
    public static double LearningRateAt(TrainerOptions o, int epoch) =>
        o.LearningRate * Math.Pow(o.LrDecay, (epoch - 1) / Math.Max(1, o.LrDecayEvery));

    /// <summary>Resolves "auto" to cuda when available, else cpu.</summary>
    public static Device ResolveDevice(string device) =>
        new(device.Equals("auto", StringComparison.OrdinalIgnoreCase) ? TorchProbe.DefaultDevice() : device);
}
