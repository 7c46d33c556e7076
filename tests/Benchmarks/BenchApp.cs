using Dggrn.Benchmarks.Dashboard;
using Dggrn.Benchmarks.Model;
using Dggrn.Benchmarks.Orchestrator;
using Dggrn.Benchmarks.Storage;
using Dggrn.Worker.Cli;
using Dggrn.Worker.Service;

namespace Dggrn.Benchmarks;

/// <summary>Dispatches `dggrn bench BENCHMARK ...`; docs/benchmarks.md records what each measured and with which command.</summary>
public static class BenchApp
{
    const string Usage = """
        dggrn bench train [--model dggrn] [--blocks 8] [--filters 64] [--scale 2] [--batch 64] [--steps 20] [--warmup 3] [--rounds 2] [--threads T] [--lr 1e-4] [--path channels-last|blocked|reference] [--train SRC...] [--json]
        dggrn bench checkpoint [--model dggrn] [--blocks 12] [--filters 64] [--scale 2] [--rounds 9] [--json]
        dggrn bench classical --method nmu|lrtv [--scales 2,3,4] [--source SRC] [--axis 2] [--slices 4] [--param NAME=VALUE ...] [--json]
        dggrn bench orchestrator --pg CONNSTR [--trials 1000] [--slots 16] [--slots-per-worker 16] [--rounds 3] [--ingest-rows 200000] [--ttl 10] [--latency-samples 100] [--only worker|requests|ingest]
        dggrn bench store-upload [--size-mib 64] [--repeat 5] [--curl]     (the store from CheckpointStore__* settings)
        dggrn bench dashboard --pg CONNSTR [--trials 34] [--points 100000] [--epochs 65] [--loads 6] [--zooms 10] [--chromium PATH]
        """;

    /// <summary>Runs one benchmark; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0) return Unknown("");
        if (args[0] is "--help" or "-h" || args.Skip(1).Any(a => a is "--help" or "-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        return args[0] switch
        {
            "orchestrator" => await OrchestratorBenchmark.RunAsync(args[1..]),
            "dashboard" => await ExperimentPageBench.RunAsync(args[1..]),
            "store-upload" => await StoreUploadBench.RunAsync(args[1..], WorkerConfiguration.Store(WorkerConfiguration.Load([]))),
            "train" or "checkpoint" or "classical" => ModelCli.Guarded("bench", args, TrainBench.Run),
            _ => Unknown(args[0]),
        };
    }

    static int Unknown(string name)
    {
        Console.Error.WriteLine($"dggrn bench: expected a benchmark: train, checkpoint, classical, orchestrator, store-upload or dashboard, found '{name}'");
        return 2;
    }
}
