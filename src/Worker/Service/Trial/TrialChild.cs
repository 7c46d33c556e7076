using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;

namespace Dggrn.Worker.Service.Trial;

/// <summary>`dggrn-worker trial LAUNCH.json`: runs one leased trial attempt (<see cref="TrialRun"/>) inside its own process.</summary>
/// <remarks>
/// The worker reads this process's stdout (<see cref="TrialSignal"/> lines: progress, reports, the end) and writes to its
/// stdin: "cancel", "drain", and "@ack" answers to reports. When stdin closes the worker is gone: the lease will lapse and
/// another worker will resume the trial, so this process exits at once rather than race it.
/// </remarks>
public static class TrialChild
{
    /// <summary>Runs the trial; returns the exit code (0 whenever the outcome was reported).</summary>
    public static async Task<int> RunAsync(string launchPath, WorkerOptions options, CheckpointStoreOptions storeOptions)
    {
        var launch = JsonSerializer.Deserialize<TrialLaunch>(await File.ReadAllTextAsync(launchPath), OrchestratorClient.Json)
                     ?? throw new InvalidDataException($"trial launch file {launchPath}: empty");
        var host = new ChildHost();
        using var client = new OrchestratorClient(options.OrchestratorUrl, options.Token);
        var store = CheckpointStores.Create(storeOptions, host.Log);
        try
        {
            using var stop = new CancellationTokenSource();
            var reason = "";
            void Command(string cmd)
            {
                if (stop.IsCancellationRequested) return;
                reason = cmd;
                stop.Cancel();
            }
            WatchStdin(host, Command);
            // Ctrl+C in a terminal and some container runtimes signal the whole process group: the trial then drains
            // (checkpoint, release) as the worker would ask it to, instead of dying and costing an attempt.
            void OnSignal(PosixSignalContext ctx)
            {
                ctx.Cancel = true;
                Command(TrialSignal.DrainCommand);
            }
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            return await TrialRun.RunAsync(launch, options, store, client, host, () => reason, stop.Token);
        }
        finally { (store as IDisposable)?.Dispose(); }
    }

    static void WatchStdin(ChildHost host, Action<string> onCommand)
    {
        var t = new Thread(() =>
        {
            while (Console.In.ReadLine() is { } line)
            {
                if (host.TryAck(line)) continue;
                line = line.Trim();
                if (line is TrialSignal.CancelCommand or TrialSignal.DrainCommand) onCommand(line);
            }
            // stdin closed: the worker died (kill -9, OOM). Its lease will lapse; stop now so nobody races the next attempt.
            // SIGKILL, not Environment.Exit: an orderly exit tears down libtorch while the training thread is still inside
            // it, which segfaulted (kernel log) — and losing everything since the last checkpoint is what a kill promises anyway.
            Console.Error.WriteLine("trial: worker process gone (stdin closed); exiting");
            Console.Error.Flush();
            Process.GetCurrentProcess().Kill();
        }) { IsBackground = true, Name = "worker-commands" };
        t.Start();
    }
}
