using System.Diagnostics;
using System.Text.Json.Nodes;
using Dggrn.Model.Classical;
using Dggrn.Model.Metrics;
using Dggrn.Model.Pipeline;
using Dggrn.Model.Training;

using Dggrn.Worker.Cli;

namespace Dggrn.Benchmarks.Model;

/// <summary>`bench classical --method nmu|lrtv [--scales 2,3,4] [--source phantom:seed=3,grid=181x217x40] [--axis 2] [--slices 4]
/// [--param NAME=VALUE ...] [--json]` (also `bench --method nmu`): seconds per slice of a classical method, one slice at a time
/// on one thread (the cost a worker pays per slice and core), with bicubic's and the method's PSNR on the same slices.</summary>
public static class ClassicalBench
{
    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static int Run(CliArgs a)
    {
        var method = a.Required("method").ToLowerInvariant();
        var scales = a.IntList("scales") ?? [2, 3, 4];
        // BrainWeb's in-plane size (181 x 217) on the phantom's axis-2 slices.
        var source = a.String("source") ?? "phantom:seed=3,grid=181x217x40";
        int axis = a.Int("axis") ?? 2, count = a.Int("slices") ?? 4;
        var parameters = EvalCommand.ParseParams(a.List("param"));
        bool json = a.Flag("json");
        a.RejectUnknown();
        if (!ClassicalMethods.IsClassical(method)) throw new CliException($"--method: expected {string.Join(" or ", ClassicalMethods.Names)}, found '{method}'");
        if (count < 1) throw new CliException($"--slices: expected a positive integer, found {count}");
        if (scales.Any(s => s < 2)) throw new CliException($"--scales: expected integers of at least 2, found {string.Join(",", scales)}");
        var upscale = ClassicalMethods.Create(method, parameters);
        // One torch thread: LRTV's SVD must not borrow other cores, so the number is per slice and core.
        TorchSharp.torch.set_num_threads(1);
        var rows = new JsonArray();
        foreach (var scale in scales)
        {
            var all = Trainer.LoadSlices([source], scale, [axis]);
            if (all.Count == 0) throw new CliException($"--source: {source} has no kept slices on axis {axis}");
            var slices = all.Skip(Math.Max(0, all.Count / 2 - count / 2)).Take(count).ToList();
            upscale(slices[0].Lr, scale, CancellationToken.None); // warm-up (JIT, libtorch)
            var times = new List<double>();
            double psnr = 0, bicubic = 0;
            foreach (var s in slices)
            {
                var sw = Stopwatch.StartNew();
                var sr = upscale(s.Lr, scale, CancellationToken.None);
                times.Add(sw.Elapsed.TotalSeconds);
                psnr += Psnr.Compute(sr, s.Hr) / slices.Count;
                bicubic += Psnr.Compute(Bicubic.Upscale(s.Lr, scale), s.Hr) / slices.Count;
            }
            var sorted = times.Order().ToList();
            var row = new JsonObject
            {
                ["method"] = method, ["scale"] = scale, ["slices"] = slices.Count, ["hr"] = $"{slices[0].Hr.Height}x{slices[0].Hr.Width}",
                ["medianSecondsPerSlice"] = Math.Round(sorted[sorted.Count / 2], 3), ["meanSecondsPerSlice"] = Math.Round(times.Average(), 3),
                ["psnr"] = Math.Round(psnr, 3), ["bicubicPsnr"] = Math.Round(bicubic, 3),
            };
            rows.Add(row);
            if (!json)
                Console.WriteLine($"{method} x{scale}: {slices.Count} slices of {row["hr"]}, median {sorted[sorted.Count / 2]:F3} s/slice " +
                                  $"(mean {times.Average():F3}), PSNR {psnr:F2} dB vs bicubic {bicubic:F2} dB");
        }
        if (json) Console.WriteLine(new JsonObject { ["source"] = source, ["axis"] = axis, ["rows"] = rows }.ToJsonString(EvalJson.Options));
        return 0;
    }
}
