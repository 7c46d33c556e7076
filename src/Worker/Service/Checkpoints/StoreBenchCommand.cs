using System.Diagnostics;
using System.Globalization;
using Dggrn.Contracts.Blobs;

namespace Dggrn.Worker.Service.Checkpoints;

/// <summary>
/// `dggrn-worker store-bench [--size-mib N] [--repeat R]`: checkpoint upload throughput against the configured store:
/// the store's plain put, and the worker's verified upload (put, read back, SHA-256, manifest). Prints one line per measure.
/// </summary>
/// <remarks>The raw-PUT reference of the same server is measured with curl (tests/Worker.Tests/bench/store-upload.sh).</remarks>
public static class StoreBenchCommand
{
    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CheckpointStoreOptions storeOptions)
    {
        int sizeMiB = 64, repeat = 5;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                Console.Error.WriteLine($"dggrn-worker store-bench: {args[i]}: expected a positive integer, found '{args[i + 1]}'");
                return 2;
            }
            switch (args[i])
            {
                case "--size-mib": sizeMiB = v; break;
                case "--repeat": repeat = v; break;
                default:
                    Console.Error.WriteLine($"dggrn-worker store-bench: unknown option '{args[i]}': expected --size-mib N, --repeat R");
                    return 2;
            }
        }
        var store = CheckpointStores.Create(storeOptions, Console.Error.WriteLine);
        try
        {
            var data = new byte[sizeMiB << 20];
            new Random(1).NextBytes(data);
            var uploader = new CheckpointUploader(store, Console.Error.WriteLine);
            var id = new CheckpointIdentity(Guid.Empty, Guid.Empty, "bench", 1);
            var meta = new Dictionary<string, string> { [StoreKeys.Sha256Metadata] = BlobHash.Sha256(data) };
            await store.PutAsync("bench/warmup", new byte[1], meta, default);
            var put = await MeasureAsync(repeat, sizeMiB, i => store.PutAsync($"bench/put-{i}.ckpt", data, meta, default));
            var putVerify = await MeasureAsync(repeat, sizeMiB, async i =>
            {
                await store.PutAsync($"bench/pv-{i}.ckpt", data, meta, default);
                if (await store.VerifyAsync($"bench/pv-{i}.ckpt", data, meta[StoreKeys.Sha256Metadata], default) is { } problem) throw new InvalidDataException(problem);
            });
            var sha = await MeasureAsync(repeat, sizeMiB, _ => Task.FromResult(BlobHash.Sha256(data)));
            var verified = await MeasureAsync(repeat, sizeMiB, i => uploader.UploadAsync($"bench/verified-{i}.ckpt", data, id, i, i, null, default));
            Console.WriteLine($"store {store.Describe}, object {sizeMiB} MiB, {repeat} runs (median MiB/s, min-max)");
            Console.WriteLine($"store put          {put.Median,8:F1} MiB/s  ({put.Min:F1}-{put.Max:F1})");
            Console.WriteLine($"put + verify       {putVerify.Median,8:F1} MiB/s  ({putVerify.Min:F1}-{putVerify.Max:F1})");
            Console.WriteLine($"SHA-256 alone      {sha.Median,8:F1} MiB/s  ({sha.Min:F1}-{sha.Max:F1})");
            Console.WriteLine($"verified upload    {verified.Median,8:F1} MiB/s  ({verified.Min:F1}-{verified.Max:F1})  [SHA-256 + put + verify + manifest]");
            for (var i = 0; i < repeat; i++)
            {
                await store.DeleteAsync($"bench/put-{i}.ckpt", default);
                await store.DeleteAsync($"bench/pv-{i}.ckpt", default);
                await uploader.DeleteAsync($"bench/verified-{i}.ckpt", default);
            }
            await store.DeleteAsync("bench/warmup", default);
            return 0;
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    static async Task<(double Median, double Min, double Max)> MeasureAsync(int repeat, int sizeMiB, Func<int, Task> op)
    {
        var rates = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            await op(i);
            rates.Add(sizeMiB / sw.Elapsed.TotalSeconds);
        }
        rates.Sort();
        return (rates[rates.Count / 2], rates[0], rates[^1]);
    }
}
