using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dggrn.Model.Models;
using Dggrn.Model.Training;
using TorchSharp;
using static TorchSharp.torch;

using Dggrn.Worker.Cli;

namespace Dggrn.Benchmarks.Model;

/// <summary>`bench checkpoint [--model dggrn] [--blocks 12] [--filters 64] [--scale 2] [--rounds 9] [--json]`: how fast a
/// training position becomes checkpoint bytes and their digest (<see cref="CheckpointCodec.Write"/>, the trainer's pause at
/// every checkpoint before the upload), next to MD5 + SHA-256 of the same bytes in a separate pass.</summary>
public static class CheckpointBench
{
    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static int Run(CliArgs a)
    {
        var method = a.String("model") ?? "dggrn";
        int blocks = a.Int("blocks") ?? 12, filters = a.Int("filters") ?? 64, scale = a.Int("scale") ?? 2, rounds = Math.Max(1, a.Int("rounds") ?? 9);
        bool json = a.Flag("json");
        a.RejectUnknown();
        random.manual_seed(1);
        using var net = ModelRegistry.Create(method, blocks, filters, scale);
        using var adam = optim.Adam(net.parameters(), 1e-4);
        using (NewDisposeScope())
        {
            // One step so that the optimiser holds its moment estimates, as in every real checkpoint.
            var x = randn(2, 1, 12, 12);
            nn.functional.mse_loss(net.forward(x), randn(2, 1, 12 * scale, 12 * scale)).backward();
            adam.step();
        }
        var header = new CheckpointHeader { Method = method, Blocks = blocks, Filters = filters, Scale = scale, Epoch = 1, GlobalStep = 1 };
        var bytes = CheckpointCodec.Write(header, net, adam).Data; // warm-up (JIT, allocator)
        var write = new List<double>();
        var hash = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            bytes = CheckpointCodec.Write(header, net, adam).Data;
            write.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            MD5.HashData(bytes);
            SHA256.HashData(bytes);
            hash.Add(sw.Elapsed.TotalSeconds);
        }
        double mib = bytes.Length / 1048576.0;
        static double Median(List<double> v) { var s = v.Order().ToList(); return s[s.Count / 2]; }
        double writeMs = Median(write) * 1000, hashMs = Median(hash) * 1000;
        if (json)
            Console.WriteLine(new JsonObject
            {
                ["model"] = method, ["blocks"] = blocks, ["filters"] = filters, ["scale"] = scale, ["rounds"] = rounds,
                ["checkpointMiB"] = Math.Round(mib, 2), ["writeMs"] = Math.Round(writeMs, 2), ["writeMiBPerSecond"] = Math.Round(mib / Median(write), 1),
                ["md5Sha256Ms"] = Math.Round(hashMs, 2), ["md5Sha256MiBPerSecond"] = Math.Round(mib / Median(hash), 1),
            }.ToJsonString(EvalJson.Options));
        else
            Console.WriteLine($"{method} N={blocks} K={filters} x{scale}: checkpoint {mib:F2} MiB, write with digest {writeMs:F1} ms ({mib / Median(write):F0} MiB/s), " +
                              $"MD5 + SHA-256 of it in a separate pass {hashMs:F1} ms ({mib / Median(hash):F0} MiB/s); medians of {rounds}");
        return 0;
    }
}
