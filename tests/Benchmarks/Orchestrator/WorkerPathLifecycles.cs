using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Worker.Service;
using Npgsql;

namespace Dggrn.Benchmarks.Orchestrator;

/// <summary>No-op trial lifecycles through the product's own worker path: real <see cref="WorkerService"/> instances (the
/// dggrn-worker main loop) in this process, each sending every report and lease request through its outbox's batches.</summary>
/// <remarks>Nothing here is a stand-in for the worker: the same registration, start-up numerics check (in a child process,
/// before the timing), heartbeats, leases riding on report batches, and the same trial code (<c>TrialRun</c>, run inline for
/// noop trials). The time is the span from the first lease to the last completion, read from the trials' transitions.</remarks>
static class WorkerPathLifecycles
{
    /// <summary>Runs <paramref name="trials"/> noop trials on <paramref name="slots"/> slots; returns (lifecycles/s, process CPU ms
    /// per lifecycle, batch requests per lifecycle).</summary>
    public static async Task<(double PerSecond, double CpuMs, double RequestsPerLifecycle)> RunAsync(Uri url, BenchClient user, string workerToken,
        string connectionString, int trials, int slots, int perWorker, string name)
    {
        var dir = Directory.CreateTempSubdirectory("dggrn-bench-worker-").FullName;
        using var drain = new CancellationTokenSource();
        var services = new List<(WorkerService Service, OrchestratorClient Client, Task Run)>();
        try
        {
            var store = new LocalCheckpointStore(Path.Combine(dir, "store"));
            var storeOptions = new CheckpointStoreOptions { Kind = "Local", LocalPath = Path.Combine(dir, "store") };
            for (int w = 0; w < Math.Max(1, slots / perWorker); w++)
            {
                var options = new WorkerOptions
                {
                    OrchestratorUrl = url.ToString(), Token = workerToken, Devices = "cpu", SlotsPerDevice = perWorker, Threads = 1,
                    ScratchDirectory = Path.Combine(dir, $"scratch-{w}"), Name = $"{name}-worker-{w}",
                };
                var client = new OrchestratorClient(options.OrchestratorUrl, options.Token);
                var service = new WorkerService(options, client, [new DeviceInfo("cpu", "cpu", 0, perWorker)],
                    WorkerConfiguration.ChildEnvironment(options, storeOptions), store, _ => { });
                services.Add((service, client, service.RunAsync(drain.Token)));
            }
            // Registered (after their numerics checks) and idle before the grid is submitted.
            while (services.Any(s => s.Service.WorkerId is null))
            {
                if (services.FirstOrDefault(s => s.Run.IsCompleted) is { Run: { } ended }) await ended; // surfaces a start-up failure
                await Task.Delay(50);
            }
            var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var requests0 = services.Sum(s => s.Service.Outbox.Requests);
            var submitted = await user.PostAsync<SubmitResponse>("/api/experiments", new SubmitRequest(OrchestratorBenchmark.Noop(name, trials), null, Rerun: true));
            await using (var c = new NpgsqlConnection(connectionString))
            {
                await c.OpenAsync();
                while (await OrchestratorBenchmark.CountAsync(c, "SELECT count(*) FROM trials WHERE experiment_id = @e AND state = 'Succeeded'", submitted.Id) < trials)
                    await Task.Delay(20);
                var cpuMs = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / trials;
                var seconds = await OrchestratorBenchmark.SpanSecondsAsync(c, submitted.Id);
                return (trials / seconds, cpuMs, (double)(services.Sum(s => s.Service.Outbox.Requests) - requests0) / trials);
            }
        }
        finally
        {
            await drain.CancelAsync();
            await Task.WhenAll(services.Select(s => s.Run.ContinueWith(_ => { })));
            foreach (var s in services) s.Client.Dispose();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
