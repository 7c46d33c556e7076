using System.Globalization;
using TorchSharp;
using Dggrn.Model.Classical;
using Dggrn.Model.Metrics;
using Dggrn.Model.Models;
using Dggrn.Model.Training;

namespace Dggrn.Worker.Cli;

/// <summary>`eval --method bicubic|nmu|lrtv|CHECKPOINT_PATH --volume PATH --scale S [--param NAME=VALUE ...]`, or
/// `eval --method dggrn|resnet|scsr|recnn --checkpoint PATH --volume PATH [--scale S]`; common options
/// [--axes 0,1,2] [--threads T] [--device D] [--per-slice] [--json].</summary>
public static class EvalCommand
{
    /// <summary>Evaluates and prints; returns the exit code.</summary>
    public static int Run(CliArgs a)
    {
        var method = a.Required("method");
        var volume = a.Required("volume");
        var checkpoint = a.String("checkpoint");
        int? scaleArg = a.Int("scale");
        var axes = a.IntList("axes") ?? [0, 1, 2];
        bool json = a.Flag("json"), perSlice = a.Flag("per-slice");
        int threads = a.Int("threads") ?? 0;
        var device = a.String("device") ?? "cpu";
        var parameters = ParseParams(a.List("param"));
        a.RejectUnknown();
        if (axes.Any(x => x is < 0 or > 2)) throw new CliException($"--axes: expected values in 0..2, found {string.Join(",", axes)}");
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        string lower = method.ToLowerInvariant();
        if (parameters is not null && !ClassicalMethods.IsClassical(lower))
            throw new CliException($"--param: only {string.Join(" and ", ClassicalMethods.Names)} take parameters, found --method {method}");
        Evaluation eval;
        if (lower is "bicubic" || ClassicalMethods.IsClassical(lower))
        {
            if (checkpoint is not null) throw new CliException($"--checkpoint: {lower} is not trained, so it takes no checkpoint");
            int scale = scaleArg ?? throw new CliException($"--scale: required for {lower}");
            if (scale < 2) throw new CliException($"--scale: expected an integer of at least 2, found {scale}");
            // Validate parameters before loading the volume.
            var upscale = lower is "bicubic" ? null : ClassicalMethods.Create(lower, parameters);
            var slices = Trainer.LoadSlices([volume], scale, axes);
            eval = upscale is null
                ? Evaluator.Evaluate("bicubic", volume, scale, "dggrn-v1", slices, s => Evaluator.BicubicResolver(s, scale))
                : Evaluator.Evaluate(lower, volume, scale, "dggrn-v1", slices, s => ClassicalMethods.Resolve(s, scale, threads, upscale, CancellationToken.None));
        }
        else
        {
            // Either --method NETWORK --checkpoint PATH, or the older --method PATH.
            string path;
            if (checkpoint is not null)
            {
                if (!ModelRegistry.IsTrainable(lower))
                    throw new CliException($"--method: with --checkpoint expected a trained network ({string.Join(", ", ModelRegistry.Names.Where(ModelRegistry.IsTrainable))}), found '{method}'");
                path = checkpoint;
            }
            else path = method;
            if (!File.Exists(path))
                throw new CliException(checkpoint is null
                    ? $"--method: expected bicubic, nmu, lrtv or an existing checkpoint file, found '{method}'"
                    : $"--checkpoint: expected an existing checkpoint file, found '{checkpoint}'");
            var bytes = File.ReadAllBytes(path);
            var h = CheckpointCodec.ReadHeader(bytes, path);
            if (checkpoint is not null && !h.Method.Equals(lower, StringComparison.OrdinalIgnoreCase))
                throw new CliException($"--checkpoint: {path} holds a {h.Method} network, found --method {method}");
            if (scaleArg is int s0 && s0 != h.Scale) throw new CliException($"--scale: checkpoint {path} was trained for x{h.Scale}, found --scale {s0}");
            var dev = Trainer.ResolveDevice(device);
            // The same self-check as training, on this network: evaluation runs the same convolutions forward.
            var numerics = NumericsGuard.Ensure(new TrainingJob { Method = h.Method, Blocks = h.Blocks, Filters = h.Filters, Scale = h.Scale,
                Options = h.Options with { Threads = threads } }, dev);
            if (!json && numerics is not null) Console.Error.WriteLine(numerics.Summary);
            using var net = ModelRegistry.Create(h.Method, h.Blocks, h.Filters, h.Scale);
            CheckpointCodec.Restore(bytes, net, null, path);
            net.to(dev);
            net.eval();
            var slices = Trainer.LoadSlices([volume], h.Scale, axes);
            eval = Evaluator.Evaluate(h.Method, volume, h.Scale, "dggrn-v1", slices, s => NetworkResolver.Resolve(net, dev, s));
        }
        if (json) Console.WriteLine(EvalJson.Full(eval, perSlice).ToJsonString(EvalJson.Options));
        else
        {
            Console.WriteLine($"{eval.Method} x{eval.Scale} on {eval.Volume} ({eval.Protocol})");
            foreach (var (axis, r) in eval.Axes) Console.WriteLine($"  axis {axis}: {r.Slices,4} slices  PSNR {r.Psnr:F4} dB  SSIM {r.Ssim:F4}");
            Console.WriteLine($"  overall: {eval.Overall.Slices,4} slices  PSNR {eval.Overall.Psnr:F4} dB  SSIM {eval.Overall.Ssim:F4}");
        }
        return 0;
    }

    /// <summary>"NAME=VALUE" pairs (from repeated or space-separated --param) as a map; null when none.</summary>
    public static Dictionary<string, double>? ParseParams(IReadOnlyList<string> items)
    {
        if (items.Count == 0) return null;
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var item in items.SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var kv = item.Split('=', 2);
            if (kv.Length != 2 || kv[0].Length == 0 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                throw new CliException($"--param: expected NAME=NUMBER (e.g. patchRadius=2), found '{item}'");
            if (!result.TryAdd(kv[0], v)) throw new CliException($"--param: '{kv[0]}' given twice");
        }
        return result;
    }
}
