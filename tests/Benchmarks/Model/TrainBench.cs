using System.Diagnostics;
using System.Text.Json.Nodes;
using Dggrn.Model.Models;
using Dggrn.Model.Numerics;
using Dggrn.Model.Pipeline;
using Dggrn.Model.Training;
using TorchSharp;
using static TorchSharp.torch;

using Dggrn.Worker.Cli;

namespace Dggrn.Benchmarks.Model;

/// <summary>`bench train [--model dggrn] [--blocks 8] [--filters 64] [--scale 2] [--batch 64] [--steps 20] [--warmup 3]
/// [--rounds 2] [--threads 0] [--lr 1e-4] [--path channels-last|blocked|reference] [--train phantom:seed=1] [--json]`: median step
/// throughput of a bare TorchSharp loop and of the Trainer on the same model in the same process (alternating rounds), and the
/// patch pipeline's throughput. The numerics self-check runs first and chooses the convolution path, as in training; --path
/// forces one instead (to measure a path the check would refuse: its numbers are then printed as unchecked).</summary>
public static class TrainBench
{
    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static int Run(CliArgs a)
    {
        if (a.Positionals.FirstOrDefault() == "classical" || (a.Positionals.Count == 0 && a.String("method") is not null))
            return ClassicalBench.Run(a);
        if (a.Positionals.FirstOrDefault() == "checkpoint") return CheckpointBench.Run(a);
        if (a.Positionals.FirstOrDefault() != "train")
            throw new CliException($"expected a benchmark: train, checkpoint or classical, found '{a.Positionals.FirstOrDefault() ?? ""}' (dggrn bench --help lists their options)");
        var method = a.String("model") ?? "dggrn";
        int blocks = a.Int("blocks") ?? 8, filters = a.Int("filters") ?? 64, scale = a.Int("scale") ?? 2, batch = a.Int("batch") ?? 64;
        int steps = a.Int("steps") ?? 20, warmup = Math.Max(1, a.Int("warmup") ?? 3), threads = a.Int("threads") ?? 0, rounds = a.Int("rounds") ?? 2;
        double learningRate = a.Double("lr") ?? 1e-4;
        var forced = a.String("path") is { } fp ? ConvPaths.Parse(fp) : (ConvPath?)null;
        var train = a.List("train") is { Count: > 0 } t ? t : ["phantom:seed=1"];
        bool json = a.Flag("json");
        a.RejectUnknown();
        if (threads > 0) torch.set_num_threads(threads);
        const int P = 12;
        // The check the trainer would run, on this model at this thread count; a forced path skips it (and says so).
        NumericsReport? numerics = null;
        if (forced is { } path) ConvKernels.Use(path);
        else
        {
            numerics = NumericsGuard.Ensure(new TrainingJob { Method = method, Blocks = blocks, Filters = filters, Scale = scale,
                Options = new TrainerOptions { BatchSize = batch, Threads = threads } }, CPU)!;
            if (!json) Console.Error.WriteLine(numerics.Summary);
        }

        // 1. Pipeline: patches per second from the sampler with augmentation on.
        var slices = Trainer.LoadSlices(train, scale, [0, 1, 2]);
        var sampler = new PatchSampler(slices, scale, P, 6, 1, augment: true, 0);
        var order = sampler.Order(1);
        var lrBuf = new float[batch * P * P];
        var hrBuf = new float[batch * P * scale * P * scale];
        var sw = Stopwatch.StartNew();
        int fills = 0;
        while (sw.Elapsed.TotalSeconds < 2) sampler.Fill(order, 1, fills++, batch, lrBuf, hrBuf);
        double pipeline = fills * batch / sw.Elapsed.TotalSeconds;

        // 2 and 3 alternate in rounds so that load from other processes on a shared machine hits both alike.
        var bare = new List<double>();
        var trainer = new List<double>();
        double flops = 0;
        for (int round = 0; round < rounds; round++)
        {
            flops = BareLoop(method, blocks, filters, scale, batch, warmup, steps, learningRate, lrBuf, hrBuf, bare);
            TrainerLoop(method, blocks, filters, scale, batch, warmup, steps, threads, learningRate, train, numerics ?? Unchecked(ConvKernels.Current), trainer);
        }
        double Median(List<double> v) { var s = v.Order().ToList(); return s.Count == 0 ? double.NaN : s[s.Count / 2]; }
        double bareRate = batch / Median(bare), trainerRate = batch / Median(trainer);
        // Training costs about 3 forward passes (forward + backward for activations and weights).
        double Gflops(double rate) => rate * P * P * flops * 3 / 1e9;
        var o = new JsonObject
        {
            ["model"] = method, ["blocks"] = blocks, ["filters"] = filters, ["scale"] = scale, ["batch"] = batch, ["threads"] = torch.get_num_threads(),
            ["steps"] = steps, ["rounds"] = rounds, ["bareLoopPatchesPerSecond"] = Math.Round(bareRate, 1), ["trainerPatchesPerSecond"] = Math.Round(trainerRate, 1),
            ["trainerVsBare"] = Math.Round(trainerRate / bareRate, 3), ["bareGflops"] = Math.Round(Gflops(bareRate), 1),
            ["trainerGflops"] = Math.Round(Gflops(trainerRate), 1), ["pipelinePatchesPerSecond"] = Math.Round(pipeline, 0),
            ["pipelineVsTrainer"] = Math.Round(pipeline / trainerRate, 1), ["convPath"] = ConvKernels.Current.Name(),
            ["numericsChecked"] = numerics is not null, ["maxRelativeError"] = numerics?.MaxRelativeError,
            ["cpu"] = PlatformFacts.Here.CpuModel, ["cpuFamily"] = PlatformFacts.Here.CpuFamily,
        };
        if (json) Console.WriteLine(o.ToJsonString(EvalJson.Options));
        else
            Console.WriteLine($"{method} N={blocks} K={filters} x{scale}, batch {batch}, {torch.get_num_threads()} threads, {ConvKernels.Current.Name()}{(numerics is null ? " (UNCHECKED)" : "")}: bare loop {bareRate:F1} patches/s " +
                              $"({Gflops(bareRate):F1} GFLOP/s), trainer {trainerRate:F1} patches/s ({trainerRate / bareRate:P1} of bare), pipeline {pipeline:F0} patches/s ({pipeline / trainerRate:F1}x the trainer)");
        return 0;
    }

    /// <summary>The same model, Adam and MSE on one fixed batch, a dispose scope per step and nothing else; returns FLOPs per LR pixel.</summary>
    static double BareLoop(string method, int blocks, int filters, int scale, int batch, int warmup, int steps, double learningRate, float[] lrBuf, float[] hrBuf, List<double> times)
    {
        const int P = 12;
        random.manual_seed(1);
        using var net = ModelRegistry.Create(method, blocks, filters, scale);
        using var adam = optim.Adam(net.parameters(), learningRate);
        using var x = tensor(lrBuf, [batch, 1, P, P]);
        using var y = tensor(hrBuf, [batch, 1, P * scale, P * scale]);
        for (int s = 0; s < warmup + steps; s++)
        {
            var st = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                adam.zero_grad();
                var l = nn.functional.mse_loss(net.forward(x), y);
                var loss = l.item<float>();
                if (!float.IsFinite(loss)) throw new TrainingDivergedException(1, s + 1, "loss", loss);
                l.backward();
                adam.step();
            }
            if (s >= warmup) times.Add(st.Elapsed.TotalSeconds);
        }
        return net.FlopsPerLrPixel;
    }

    /// <summary>The same configuration through Trainer.Run; step times from the per-step loss callback.</summary>
    static void TrainerLoop(string method, int blocks, int filters, int scale, int batch, int warmup, int steps, int threads, double learningRate,
        IReadOnlyList<string> train, NumericsReport numerics, List<double> times)
    {
        var cb = new StepClock();
        var job = new TrainingJob
        {
            Method = method, Blocks = blocks, Filters = filters, Scale = scale, Seed = 1, TrainSources = train,
            TestSources = ["phantom:seed=99,grid=24x24x16"],
            Options = new TrainerOptions { Epochs = 1, StepsPerEpoch = warmup + steps, BatchSize = batch, LogEverySteps = 1, Threads = threads, TestAxes = [2], ExampleSlices = 0,
                LearningRate = learningRate },
            Numerics = numerics, // checked once above, not again per round
        };
        Trainer.Run(job, cb, CancellationToken.None);
        times.AddRange(cb.Intervals.Skip(warmup - 1));
    }

    /// <summary>A stand-in report for a forced path: the trainer must not re-check (and switch) it.</summary>
    static NumericsReport Unchecked(ConvPath path) =>
        new(true, path, torch.get_num_threads(), "cpu", double.NaN, NumericsCheck.Tolerance, [], [], [], PlatformFacts.Here, null, 0);

    /// <summary>Times the gaps between consecutive per-step loss reports.</summary>
    sealed class StepClock : NullTrainingCallbacks
    {
        readonly Stopwatch clock = Stopwatch.StartNew();
        double last = double.NaN;
        public List<double> Intervals { get; } = [];

        public override void OnTrainLoss(int epoch, long step, double loss)
        {
            var now = clock.Elapsed.TotalSeconds;
            if (!double.IsNaN(last)) Intervals.Add(now - last);
            last = now;
        }
    }
}
