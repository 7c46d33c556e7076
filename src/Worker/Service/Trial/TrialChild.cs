using System.Diagnostics;
using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Blobs;
using Dggrn.Worker.Service.Checkpoints;
using Dggrn.Model.Training;

namespace Dggrn.Worker.Service.Trial;

/// <summary>`dggrn-worker trial LAUNCH.json`: runs one leased trial attempt inside its own process.</summary>
/// <remarks>
/// The worker reads this process's stdout (<see cref="TrialSignal"/> lines) and writes commands to its stdin
/// ("cancel", "drain"). When stdin closes the worker is gone: the lease will lapse and another worker will
/// resume the trial, so this process exits at once rather than race it.
/// </remarks>
public static class TrialChild
{
    /// <summary>Runs the trial; returns the exit code (0 whenever the outcome was reported).</summary>
    public static async Task<int> RunAsync(string launchPath, WorkerOptions options, CheckpointStoreOptions storeOptions)
    {
        var launch = JsonSerializer.Deserialize<TrialLaunch>(await File.ReadAllTextAsync(launchPath), OrchestratorClient.Json)
                     ?? throw new InvalidDataException($"trial launch file {launchPath}: empty");
        var grant = launch.Grant;
        using var client = new OrchestratorClient(options.OrchestratorUrl, options.Token);
        await using var logs = new LogForwarder(client, grant.TrialId, grant.LeaseId);
        var log = logs.Write;
        using var storeHolder = new StoreHolder(CheckpointStores.Create(storeOptions, log));
        var uploader = new CheckpointUploader(storeHolder.Store, log);

        using var stop = new CancellationTokenSource();
        var reason = "";
        void Command(string cmd)
        {
            if (stop.IsCancellationRequested) return;
            reason = cmd;
            stop.Cancel();
        }
        WatchStdin(Command);
        // Ctrl+C in a terminal and some container runtimes signal the whole process group: the trial then drains
        // (checkpoint, release) as the worker would ask it to, instead of dying and costing an attempt.
        void OnSignal(System.Runtime.InteropServices.PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            Command(TrialSignal.DrainCommand);
        }
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);
        using var intr = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);

        await using var metrics = new MetricJournal(launch.JournalPath, grant.LeaseId, grant.Attempt,
            (b, ct) => client.MetricsAsync(grant.TrialId, b, ct), options.MetricBufferBytes, log);
        var callbacks = new TrialCallbacks(grant, client, uploader, metrics, log, stop.Token);
        var clock = Stopwatch.StartNew();
        try
        {
            TrialOutput.Progress(0, 0);
            log($"trial {grant.TrialId} attempt {grant.Attempt} ({grant.Config.Method}) on {launch.Device}, {launch.Threads} thread(s), store {storeHolder.Store.Describe}");
            var resume = await ResumeResolver.ResolveAsync(grant, uploader, ct => client.CheckpointsAsync(grant.TrialId, ct), stop.Token);
            foreach (var p in resume.Problems) log($"resume: {p}");
            if (resume.From is { } from) log($"resuming from {from.Key} (epoch {from.Epoch}, step {from.Step})");
            var job = TrainingMapping.ToJob(grant.Config, launch.Device, launch.Threads, resume.Data);
            // Checked before the start is reported, so the recorded environment says which path this attempt trains on.
            var numerics = NumericsGuard.Ensure(job, Trainer.ResolveDevice(launch.Device));
            if (numerics is not null) log(numerics.Summary);
            job = job with { Numerics = numerics };
            var environment = new TrialEnvironment(Environment.MachineName, launch.WorkerId, launch.Device, launch.Threads,
                System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                WorkerService.Version, numerics is null ? null : Numerics.NumericsWire.ToInfo(numerics));
            await Reliably.CallAsync("report started", ct => client.StartedAsync(grant.TrialId,
                new TrialStartedRequest(grant.LeaseId, resume.From?.Epoch, environment), ct), log, stop.Token, TimeSpan.FromMinutes(5));
            var result = await Task.Factory.StartNew(() => Trainer.Run(job, callbacks, stop.Token), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);

            await FlushMetricsAsync(metrics, log);
            await Reliably.CallAsync("report complete", ct => client.CompleteAsync(grant.TrialId, new TrialCompletedRequest(
                grant.LeaseId, result.Epoch, TrainingMapping.ToResult(result.Test), result.Parameters, result.Seconds), ct), log, CancellationToken.None, TimeSpan.FromMinutes(10));
            log($"trial succeeded: epoch {result.Epoch}, test PSNR {result.Test.Overall.Psnr:F3} dB, {clock.Elapsed.TotalSeconds:F0} s");
            TrialOutput.Done("succeeded");
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await FlushMetricsAsync(metrics, log);
            if (reason == TrialSignal.DrainCommand)
            {
                try
                {
                    await Reliably.CallAsync("release lease", ct => client.ReleaseAsync(grant.TrialId,
                        new TrialReleaseRequest(grant.LeaseId, $"worker draining; checkpoint at step {callbacks.Position.Step}"), ct), log, CancellationToken.None, TimeSpan.FromSeconds(30));
                    log($"lease released at epoch {callbacks.Position.Epoch} step {callbacks.Position.Step}");
                }
                catch (Exception e) when (e is OrchestratorException or HttpRequestException or TaskCanceledException)
                {
                    // The lease lapses on its own once heartbeats stop; the checkpoint is recorded either way.
                    log($"could not release the lease ({e.Message}); it will lapse");
                }
                TrialOutput.Done("released");
            }
            else
            {
                log($"trial cancelled at epoch {callbacks.Position.Epoch} step {callbacks.Position.Step}");
                TrialOutput.Done("cancelled");
            }
            return 0;
        }
        catch (Exception e) when (e is LeaseLostException || (e is OrchestratorException o && !OrchestratorClient.IsTransient(o)))
        {
            log($"trial stopped: the orchestrator no longer accepts this attempt ({e.Message})");
            TrialOutput.Done("lost", e.Message);
            return 0;
        }
        catch (Exception e)
        {
            var diverged = e is TrainingDivergedException;
            var retryable = !diverged && !IsPermanent(e);
            log(diverged ? $"trial {e.Message}; the last checkpoint is the last good state" : $"trial failed ({(retryable ? "retryable" : "permanent")}): {e}");
            await FlushMetricsAsync(metrics, log);
            try
            {
                // A divergence and a numerics refusal say all in their message; other errors name their type too.
                var error = e is TrainingDivergedException or Dggrn.Model.Numerics.NumericsException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                await Reliably.CallAsync("report failure", ct => client.FailedAsync(grant.TrialId,
                    new TrialFailedRequest(grant.LeaseId, error, retryable, diverged), ct), log, CancellationToken.None, TimeSpan.FromMinutes(5));
                TrialOutput.Done("failed", e.Message);
                return 0;
            }
            catch (Exception report)
            {
                log($"could not report the failure: {report.Message}");
                return 1;
            }
        }
    }

    /// <summary>Bad input (a malformed volume, an unknown method) fails the same way on every attempt: no retry.</summary>
    static bool IsPermanent(Exception e) =>
        e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or NotSupportedException or FormatException
        || e.GetType().Name == "VolumeFormatException";

    static async Task FlushMetricsAsync(MetricJournal metrics, Action<string> log)
    {
        if (!await metrics.FlushAsync(TimeSpan.FromMinutes(2)))
            log($"metrics: {metrics.UnsentBytes >> 10} KiB not yet acknowledged; the worker replays the journal");
    }

    static void WatchStdin(Action<string> onCommand)
    {
        var t = new Thread(() =>
        {
            while (Console.In.ReadLine() is { } line)
            {
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

    sealed class StoreHolder(ICheckpointStore store) : IDisposable
    {
        public ICheckpointStore Store { get; } = store;
        public void Dispose() => (Store as IDisposable)?.Dispose();
    }
}
