using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Model.Numerics;
using Dggrn.Model.Training;
using Dggrn.Worker.Numerics;
using TorchSharp;

namespace Dggrn.Worker.Cli;

/// <summary>`numerics [--threads T] [--paths channels-last,blocked,reference] [--model M --blocks N --filters K --scale S]
/// [--batch B] [--device cpu] [--json]`: the numerics self-check. Without --model it checks the start-up probes (every network,
/// channel counts on and off oneDNN's blocks); exits 0 when a path agrees with float64, 1 (and one line saying why) when none
/// does.</summary>
public static class NumericsCommand
{
    /// <summary>Runs the check; returns the exit code.</summary>
    public static int Run(CliArgs a)
    {
        int threads = a.Int("threads") ?? 0;
        var paths = a.String("paths") is { } ps ? ps.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ConvPaths.Parse).ToList() : null;
        var model = a.String("model");
        int blocks = a.Int("blocks") ?? 8, filters = a.Int("filters") ?? 64, scale = a.Int("scale") ?? 2, batch = a.Int("batch") ?? 8;
        var device = a.String("device") ?? "cpu";
        bool json = a.Flag("json");
        a.RejectUnknown();
        if (threads < 0) throw new CliException($"--threads: expected 0 (torch's default) or more, found {threads}");
        if (threads > 0) torch.set_num_threads(threads);
        IReadOnlyList<NumericsProbe> probes = model is null
            ? NumericsProbe.Startup
            : [NumericsGuard.ProbeFor(model, blocks, filters, scale, new TrainerOptions { BatchSize = batch })];
        if (model is not null && !Dggrn.Model.Models.ModelRegistry.IsTrainable(model))
            throw new CliException($"--model: expected a trainable network ({string.Join(", ", Dggrn.Model.Models.ModelRegistry.Names.Where(Dggrn.Model.Models.ModelRegistry.IsTrainable))}), found '{model}'");
        var report = NumericsCheck.Select(probes, Trainer.ResolveDevice(device), paths);
        if (json) Console.WriteLine(JsonSerializer.Serialize(NumericsWire.ToInfo(report), WireJson.Options));
        else
        {
            foreach (var t in report.Tried)
                Console.WriteLine($"{t.Path.Name(),-14} max relative error {t.MaxRelativeError:0.0e+0} ({(t.Passed ? "ok" : "WRONG")}; worst: {t.Worst}) in {t.Seconds:F2} s");
            if (report.OneDnnKernels.Count > 0) Console.WriteLine($"oneDNN kernels: {string.Join(", ", report.OneDnnKernels)}");
            Console.WriteLine(report.Passed ? report.Summary : "");
        }
        if (report.Passed) return 0;
        Console.Error.WriteLine(report.Reason);
        return 1;
    }
}
