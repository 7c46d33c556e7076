using TorchSharp;
using Dggrn.Model.Metrics;
using Dggrn.Model.Models;
using Dggrn.Model.Training;
using Dggrn.Model.Volumes;

namespace Dggrn.Worker.Cli;

/// <summary>`eval --method bicubic|CHECKPOINT_PATH --volume PATH --scale S [--axes 0,1,2] [--threads T] [--per-slice] [--json]`.</summary>
public static class EvalCommand
{
    /// <summary>Evaluates and prints; returns the exit code.</summary>
    public static int Run(CliArgs a)
    {
        var method = a.Required("method");
        var volume = a.Required("volume");
        int? scaleArg = a.Int("scale");
        var axes = a.IntList("axes") ?? [0, 1, 2];
        bool json = a.Flag("json"), perSlice = a.Flag("per-slice");
        int threads = a.Int("threads") ?? 0;
        var device = a.String("device") ?? "cpu";
        a.RejectUnknown();
        if (axes.Any(x => x is < 0 or > 2)) throw new CliException($"--axes: expected values in 0..2, found {string.Join(",", axes)}");
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        Evaluation eval;
        if (method is "bicubic")
        {
            int scale = scaleArg ?? throw new CliException("--scale: required for bicubic");
            var slices = Trainer.LoadSlices([volume], scale, axes);
            eval = Evaluator.Evaluate("bicubic", volume, scale, "dggrn-v1", slices, s => Evaluator.BicubicResolver(s, scale));
        }
        else
        {
            if (!File.Exists(method)) throw new CliException($"--method: expected bicubic or an existing checkpoint file, found '{method}'");
            var bytes = File.ReadAllBytes(method);
            var h = CheckpointCodec.ReadHeader(bytes, method);
            if (scaleArg is int s0 && s0 != h.Scale) throw new CliException($"--scale: checkpoint {method} was trained for x{h.Scale}, found --scale {s0}");
            using var net = ModelRegistry.Create(h.Method, h.Blocks, h.Filters, h.Scale);
            CheckpointCodec.Restore(bytes, net, null, method);
            var dev = Trainer.ResolveDevice(device);
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
}
