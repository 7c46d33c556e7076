using System.Diagnostics;
using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Model.Training;
using Dggrn.Worker.Service.Checkpoints;

namespace Dggrn.Worker.Service.Trial;

/// <summary>One leased trial attempt from start to its reported end: resume point, numerics check, started (with the
/// environment), training with metrics and verified checkpoints, then complete, failed, released or cancelled.</summary>
/// <remarks>Runs wherever the worker puts it (a child process, or inline for trials that need no isolation): everything it
/// says goes through <see cref="ITrialHost"/>. Lifecycle reports and metrics go through the worker's outbox; checkpoint
/// and image records, which answer something, are separate calls of the orchestrator client.</remarks>
public static class TrialRun
{
    /// <summary>Runs the attempt until it ends or <paramref name="stop"/> fires (then <paramref name="stopReason"/> says
    /// whether to drain or cancel); returns 0 whenever the outcome was reported, 1 when even that failed.</summary>
    public static async Task<int> RunAsync(TrialLaunch launch, WorkerOptions options, ICheckpointStore store, OrchestratorClient client,
        ITrialHost host, Func<string> stopReason, CancellationToken stop)
    {
        var grant = launch.Grant;
        var log = host.Log;
        var uploader = new CheckpointUploader(store, log);
        await using var metrics = new MetricJournal(launch.JournalPath, grant.LeaseId, grant.Attempt,
            (b, ct) => host.SendAsync(new WorkerReport(grant.TrialId, Metrics: b), ct), options.MetricBufferBytes, log);
        var callbacks = new TrialCallbacks(grant, client, uploader, metrics, host, stop);
        var clock = Stopwatch.StartNew();
        try
        {
            host.Progress(0, 0);
            log($"trial {grant.TrialId} attempt {grant.Attempt} ({grant.Config.Method}) on {launch.Device}, {launch.Threads} thread(s), store {store.Describe}");
            var resume = await ResumeResolver.ResolveAsync(grant, uploader, ct => client.CheckpointsAsync(grant.TrialId, ct), stop);
            foreach (var p in resume.Problems) log($"resume: {p}");
            if (resume.From is { } from) log($"resuming from {from.Key} (epoch {from.Epoch}, step {from.Step})");
            var job = TrainingMapping.ToJob(grant.Config, launch.Device, launch.Threads, resume.Data);
            // Checked before the start is reported, so the recorded environment says which path this attempt trains on.
            // Methods without a network never touch libtorch (so a trial run inside the worker keeps it out of the worker).
            var numerics = Dggrn.Model.Models.ModelRegistry.IsTrainable(job.Method) ? NumericsGuard.Ensure(job, Trainer.ResolveDevice(launch.Device)) : null;
            if (numerics is not null) log(numerics.Summary);
            job = job with { Numerics = numerics };
            var environment = new TrialEnvironment(Environment.MachineName, launch.WorkerId, launch.Device, launch.Threads,
                System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                WorkerService.Version, numerics is null ? null : Numerics.NumericsWire.ToInfo(numerics));
            // The start is confirmed while the work begins (the outbox keeps the reports in order, so it lands before anything
            // later); a refusal stops the work at its next step and surfaces below as a lost lease.
            var started = SendAsync(host, new WorkerReport(grant.TrialId, Started: new TrialStartedRequest(grant.LeaseId, resume.From?.Epoch, environment)),
                stop, TimeSpan.FromMinutes(5));
            using var work = CancellationTokenSource.CreateLinkedTokenSource(stop);
            _ = started.ContinueWith(_ => work.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            TrainingResult result;
            try
            {
                // Training holds its thread for hours: a thread of its own, not one of the pool's (a noop needs neither).
                result = await Task.Factory.StartNew(() => Trainer.Run(job, callbacks, work.Token), CancellationToken.None,
                    job.Method.Equals("noop", StringComparison.OrdinalIgnoreCase) ? TaskCreationOptions.None : TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            catch (Exception) when (started.IsFaulted && !stop.IsCancellationRequested)
            {
                await started; // the refusal (or the unreachable orchestrator), not the interrupted work, is what happened
                throw;
            }
            await FlushMetricsAsync(metrics, log);
            host.Ending();
            // Not waiting for the start's answer first: a trial shorter than a round trip (a noop, a cached evaluation) sends
            // both in one batch, which the trial's grain applies in order. A refused start still wins below: its error is the
            // one reported, and the completion it precedes is refused with it.
            var complete = SendAsync(host, new WorkerReport(grant.TrialId, Complete: new TrialCompletedRequest(
                grant.LeaseId, result.Epoch, TrainingMapping.ToResult(result.Test), result.Parameters, result.Seconds)), CancellationToken.None, TimeSpan.FromMinutes(10));
            try { await started; }
            finally { await complete.ContinueWith(_ => { }, TaskScheduler.Default); }
            await complete;
            log($"trial succeeded: epoch {result.Epoch}, test PSNR {result.Test.Overall.Psnr:F3} dB, {clock.Elapsed.TotalSeconds:F0} s");
            host.Done("succeeded");
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await FlushMetricsAsync(metrics, log);
            if (stopReason() == TrialSignal.DrainCommand)
            {
                host.Ending();
                try
                {
                    await SendAsync(host, new WorkerReport(grant.TrialId, Release: new TrialReleaseRequest(grant.LeaseId,
                        $"worker draining; checkpoint at step {callbacks.Position.Step}")), CancellationToken.None, TimeSpan.FromSeconds(30));
                    log($"lease released at epoch {callbacks.Position.Epoch} step {callbacks.Position.Step}");
                }
                catch (Exception e) when (e is OrchestratorException or OperationCanceledException)
                {
                    // The lease lapses on its own once heartbeats stop; the checkpoint is recorded either way.
                    log($"could not release the lease ({e.Message}); it will lapse");
                }
                host.Done("released");
            }
            else
            {
                log($"trial cancelled at epoch {callbacks.Position.Epoch} step {callbacks.Position.Step}");
                host.Done("cancelled");
            }
            return 0;
        }
        catch (Exception e) when (e is LeaseLostException || (e is OrchestratorException o && !OrchestratorClient.IsTransient(o)))
        {
            log($"trial stopped: the orchestrator no longer accepts this attempt ({e.Message})");
            host.Done("lost", e.Message);
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
                host.Ending();
                await SendAsync(host, new WorkerReport(grant.TrialId, Failed: new TrialFailedRequest(grant.LeaseId, error, retryable, diverged)),
                    CancellationToken.None, TimeSpan.FromMinutes(5));
                host.Done("failed", e.Message);
                return 0;
            }
            catch (Exception report)
            {
                log($"could not report the failure: {report.Message}");
                return 1;
            }
        }
    }

    /// <summary>Sends a lifecycle report, waiting at most <paramref name="budget"/> for an unreachable orchestrator.</summary>
    static async Task SendAsync(ITrialHost host, WorkerReport report, CancellationToken ct, TimeSpan budget)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(budget);
        try { await host.SendAsync(report, limit.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{report.Kind} report of trial {report.TrialId}: the orchestrator did not take it within {budget.TotalMinutes:0.#} min");
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
}
