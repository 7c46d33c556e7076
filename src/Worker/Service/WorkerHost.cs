using System.Runtime.InteropServices;
using Dggrn.Worker.Service.Trial;

namespace Dggrn.Worker.Service;

/// <summary>The long-running worker service, and the per-trial child process mode (`trial LAUNCH.json`).</summary>
public static class WorkerHost
{
    /// <summary>Runs the worker (or one trial child); returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var config = WorkerConfiguration.Load(args);
        WorkerOptions options;
        Dggrn.Checkpoints.CheckpointStoreOptions store;
        try
        {
            options = WorkerConfiguration.Worker(config);
            store = WorkerConfiguration.Store(config);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"dggrn-worker: bad configuration: {e.Message}");
            return 2;
        }
        if (args.Length >= 2 && args[0] == "trial")
            return await TrialChild.RunAsync(args[1], options, store);
        if (args.Length >= 1 && args[0] == "reconcile")
            return await Checkpoints.ReconcileCommand.RunAsync(args[1..], options, store);
        if (args.Length >= 1 && !args[0].StartsWith("--", StringComparison.Ordinal) && args[0] != "run")
        {
            Console.Error.WriteLine($"dggrn-worker: unknown command '{args[0]}': expected run (default), trial LAUNCH.json, reconcile, train, eval, data or numerics");
            return 2;
        }
        return await RunServiceAsync(options, store);
    }

    static async Task<int> RunServiceAsync(WorkerOptions options, Dggrn.Checkpoints.CheckpointStoreOptions store)
    {
        static void Log(string line) => Console.Out.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} worker: {line}");
        Contracts.Api.DeviceInfo[] devices;
        try
        {
            if (string.IsNullOrEmpty(options.Token)) throw new ArgumentException("Worker:Token: missing; the worker needs a token with role worker");
            // Validates the settings before any trial needs them.
            (Dggrn.Checkpoints.CheckpointStores.Create(store) as IDisposable)?.Dispose();
            devices = DeviceDetector.Detect(options.Devices, options.SlotsPerDevice);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"dggrn-worker: {e.Message}");
            return 2;
        }
        using var drain = new CancellationTokenSource();
        void OnSignal(PosixSignalContext ctx)
        {
            ctx.Cancel = true; // we exit on our own once drained
            if (!drain.IsCancellationRequested) Log($"{ctx.Signal}: draining");
            drain.Cancel();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var client = new OrchestratorClient(options.OrchestratorUrl, options.Token);
        var inlineStore = Dggrn.Checkpoints.CheckpointStores.Create(store, Log); // for trials run inside the worker (noop)
        using var _ = inlineStore as IDisposable;
        var service = new WorkerService(options, client, devices, WorkerConfiguration.ChildEnvironment(options, store), inlineStore, Log);
        try
        {
            await service.RunAsync(drain.Token);
        }
        catch (OrchestratorException e) when (service.WorkerId is null && !OrchestratorClient.IsTransient(e))
        {
            // Registration refused (the id is in use by a live worker, or the token may not act for it): a retry cannot help.
            Console.Error.WriteLine($"dggrn-worker: registration refused: {e.Message}");
            return 3;
        }
        return 0;
    }
}
