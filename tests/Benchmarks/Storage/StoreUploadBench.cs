using System.Diagnostics;
using System.Globalization;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;

using Dggrn.Worker.Service;
using Dggrn.Worker.Service.Checkpoints;

namespace Dggrn.Benchmarks.Storage;

/// <summary>
/// `dggrn bench store-upload [--size-mib N] [--repeat R] [--curl]`: checkpoint upload throughput against the configured
/// store: the store's plain put, put + verification, and the worker's whole verified upload (with the hashes the checkpoint
/// codec computed, as the worker has them, and of bytes hashed first); with --curl (S3 stores)
/// also a raw curl PUT of the same bytes to the same server, as the reference. Prints one line per measure.
/// </summary>
/// <remarks>
/// Each round runs every measure once, in a rotating order, and deletes each object as soon as it is timed: measuring
/// one kind after another would let the server's disk fill with dirty pages and slow whichever kind comes last
/// (on the 2-core machine that cost the last-measured kind half its throughput).
/// </remarks>
public static class StoreUploadBench
{
    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CheckpointStoreOptions storeOptions)
    {
        int sizeMiB = 64, repeat = 5;
        var curl = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--curl") { curl = true; continue; }
            if (args[i] is not ("--size-mib" or "--repeat"))
            {
                Console.Error.WriteLine($"dggrn bench store-upload: unknown option '{args[i]}': expected --size-mib N, --repeat R, --curl");
                return 2;
            }
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                Console.Error.WriteLine($"dggrn bench store-upload: {args[i]}: expected a positive integer, found '{(i + 1 < args.Length ? args[i + 1] : "")}'");
                return 2;
            }
            if (args[i++] == "--size-mib") sizeMiB = v; else repeat = v;
        }
        if (curl && !string.Equals(storeOptions.Kind, "S3", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine("dggrn bench store-upload: --curl needs CheckpointStore:Kind=S3 (it PUTs to the same S3 server)");
            return 2;
        }
        var store = CheckpointStores.Create(storeOptions, Console.Error.WriteLine);
        var blobFile = Path.Combine(Path.GetTempPath(), $"dggrn-store-bench-{Environment.ProcessId}.bin");
        try
        {
            var data = new byte[sizeMiB << 20];
            new Random(1).NextBytes(data);
            if (curl) await File.WriteAllBytesAsync(blobFile, data);
            var uploader = new CheckpointUploader(store, Console.Error.WriteLine);
            var id = new CheckpointIdentity(Guid.Empty, Guid.Empty, "bench", 1);
            var known = ContentHashes.Of(data);
            var sha = known.Sha256;
            var meta = new Dictionary<string, string> { [StoreKeys.Sha256Metadata] = sha };
            await store.PutAsync("bench/warmup", new byte[1], meta, default);
            await uploader.UploadAsync("bench/warmup-verified", data, id, 0, 0, null, default); // JIT and connections warm
            await uploader.DeleteAsync("bench/warmup-verified", default);

            var measures = new List<(string Name, Func<int, Task<double>> Seconds, Func<int, Task> Cleanup)>
            {
                ("store put", i => Timed(() => store.PutAsync($"bench/put-{i}.ckpt", data, meta, default)), i => store.DeleteAsync($"bench/put-{i}.ckpt", default)),
                ("put + verify", i => Timed(async () =>
                {
                    await store.PutAsync($"bench/pv-{i}.ckpt", data, meta, default);
                    if (await store.VerifyAsync($"bench/pv-{i}.ckpt", data, sha, default) is { } problem) throw new InvalidDataException(problem);
                }), i => store.DeleteAsync($"bench/pv-{i}.ckpt", default)),
                // As the worker uploads a checkpoint: its hashes came from the codec, which computed them while it serialised.
                ("verified upload", i => Timed(() => uploader.UploadAsync($"bench/verified-{i}.ckpt", data, known, id, i, i, null, default)),
                    i => uploader.DeleteAsync($"bench/verified-{i}.ckpt", default)),
                // Bytes that come without hashes: hashed first, then uploaded.
                ("hash, then upload", i => Timed(() => uploader.UploadAsync($"bench/hashing-{i}.ckpt", data, id, i, i, null, default)),
                    i => uploader.DeleteAsync($"bench/hashing-{i}.ckpt", default)),
            };
            if (curl)
                measures.Insert(0, ("raw PUT (curl)", i => CurlPutAsync(storeOptions, blobFile, $"bench/raw-{i}.ckpt"), i => store.DeleteAsync($"bench/raw-{i}.ckpt", default)));

            var rates = measures.ToDictionary(m => m.Name, _ => new List<double>());
            var ratios = new List<double>();
            var hashingRatios = new List<double>();
            for (var round = 0; round < repeat; round++)
            {
                var thisRound = new Dictionary<string, double>();
                for (var k = 0; k < measures.Count; k++)
                {
                    var (name, op, cleanup) = measures[(k + round) % measures.Count];
                    thisRound[name] = sizeMiB / await op(round);
                    await cleanup(round);
                }
                foreach (var (name, rate) in thisRound) rates[name].Add(rate);
                if (curl)
                {
                    ratios.Add(thisRound["verified upload"] / thisRound["raw PUT (curl)"]);
                    hashingRatios.Add(thisRound["hash, then upload"] / thisRound["raw PUT (curl)"]);
                }
            }
            var shaRate = Measure(repeat, sizeMiB, () => BlobHash.Sha256(data));

            Console.WriteLine($"store {store.Describe}, object {sizeMiB} MiB, {repeat} rounds (median MiB/s, min-max)");
            foreach (var (name, _, _) in measures)
            {
                var (median, min, max) = Stats(rates[name]);
                Console.WriteLine($"{name,-18} {median,8:F1} MiB/s  ({min:F1}-{max:F1})");
            }
            Console.WriteLine($"{"SHA-256 alone",-18} {shaRate.Median,8:F1} MiB/s  ({shaRate.Min:F1}-{shaRate.Max:F1})");
            if (curl)
            {
                var (median, min, max) = Stats(ratios);
                Console.WriteLine($"verified upload / raw PUT, same round: median {median:P0} ({min:P0}-{max:P0})");
                (median, min, max) = Stats(hashingRatios);
                Console.WriteLine($"hash, then upload / raw PUT, same round: median {median:P0} ({min:P0}-{max:P0})");
            }
            await store.DeleteAsync("bench/warmup", default);
            return 0;
        }
        finally
        {
            File.Delete(blobFile);
            (store as IDisposable)?.Dispose();
        }
    }

    static async Task<double> Timed(Func<Task> op)
    {
        var sw = Stopwatch.StartNew();
        await op();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>One `curl -T` PUT signed with SigV4 and an unsigned payload; returns curl's own transfer time (process start
    /// excluded). The keys go to curl on stdin, not in its arguments.</summary>
    static async Task<double> CurlPutAsync(CheckpointStoreOptions o, string file, string key)
    {
        var url = $"{(o.UseSsl ? "https" : "http")}://{o.Endpoint}/{o.Bucket}/{key}";
        var psi = new ProcessStartInfo("curl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-sS", "-f", "-o", "/dev/null", "-w", "%{time_total}", "-T", file, "--aws-sigv4", $"aws:amz:{o.Region}:s3", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "--config", "-", url })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("curl did not start");
        await p.StandardInput.WriteLineAsync($"user = \"{o.AccessKey}:{o.SecretKey}\"");
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEndAsync();
        var time = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"curl PUT {url}: exit {p.ExitCode}: {(await err).Trim()}");
        return double.Parse(time, CultureInfo.InvariantCulture);
    }

    static (double Median, double Min, double Max) Measure(int repeat, int sizeMiB, Action op)
    {
        var rates = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            op();
            rates.Add(sizeMiB / sw.Elapsed.TotalSeconds);
        }
        return Stats(rates);
    }

    static (double Median, double Min, double Max) Stats(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[sorted.Count / 2], sorted[0], sorted[^1]);
    }
}
