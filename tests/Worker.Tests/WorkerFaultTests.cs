using Dggrn.Worker.Tests.Fixtures;

namespace Dggrn.Worker.Tests;

/// <summary>Process-level faults with the real worker executable, a real orchestrator and PostgreSQL (CPU, fixed seed).</summary>
public sealed class WorkerFaultTests : IAsyncLifetime
{
    const int Steps = 150, Epochs = 2;
    readonly string _dir = Directory.CreateTempSubdirectory("dggrn-worker-fault-").FullName;
    readonly List<WorkerProcess> _workers = [];
    OrchestratorInstance _orch = null!;
    string _token = "";

    public async Task InitializeAsync()
    {
        _orch = await OrchestratorInstance.StartAsync(leaseTtlSeconds: 4);
        _token = await _orch.WorkerTokenAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var w in _workers) w.Dispose();
        await _orch.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    static string Spec(string name) => Specs.OneDggrn(name, epochs: Epochs, stepsPerEpoch: Steps, filters: 16, batch: 16);

    WorkerProcess StartWorker(IDictionary<string, string>? extra = null)
    {
        var w = new WorkerProcess(_orch.BaseAddress, _token, Path.Combine(_dir, "store"), Path.Combine(_dir, $"scratch-{_workers.Count}"), extra);
        _workers.Add(w);
        return w;
    }

    string Logs => string.Join("\n----\n", _workers.Select(w => w.Output));

    Task<Dggrn.Contracts.Api.TrialSummary> UntilStateAsync(Guid exp, string state, int minutes = 4) =>
        Poll.UntilAsync(() => _orch.TrialAsync(exp), t => t.State == state || (t.State is "Failed" or "Succeeded" or "Cancelled"), TimeSpan.FromMinutes(minutes),
            t => $"trial {t.State} (wanted {state}) epoch {t.Epoch} attempts {t.Attempts} error {t.Error}\n{Logs}");

    async Task<long> MaxLossStepAsync(Guid trial) =>
        (await _orch.MetricsAsync(trial)).Keys.Where(k => k.Name == "train/loss").Select(k => k.Step).DefaultIfEmpty(0).Max();

    /// <summary>An uninterrupted run of <see cref="Spec"/>: the reference every faulted run must equal.</summary>
    async Task<Dictionary<(string Name, long Step), double>> BaselineAsync()
    {
        var exp = await _orch.SubmitAsync(Spec("baseline"));
        using var w = new WorkerProcess(_orch.BaseAddress, _token, Path.Combine(_dir, "store"), Path.Combine(_dir, "scratch-baseline"));
        var t = await Poll.UntilAsync(() => _orch.TrialAsync(exp.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(4), t => $"{t.State} {t.Error}\n{w.Output}");
        Assert.True(t.State == "Succeeded", $"baseline {t.State}: {t.Error}\n{w.Output}");
        w.Signal("TERM");
        Assert.True(w.WaitForExit(TimeSpan.FromSeconds(30)), "idle worker did not exit on SIGTERM");
        return await _orch.MetricsAsync(t.Id);
    }

    /// <summary>Starts a worker that freezes its trial at <paramref name="failpoint"/> in <paramref name="epoch"/>, and waits until it sits there.</summary>
    async Task<WorkerProcess> StartFrozenAtAsync(string failpoint, int epoch)
    {
        var w = StartWorker(new Dictionary<string, string> { ["DGGRN_FAILPOINT"] = $"{failpoint}:{epoch}" });
        await Poll.UntilAsync(() => Task.FromResult(w.Output), o => o.Contains($"failpoint {failpoint} reached at epoch {epoch}", StringComparison.Ordinal),
            TimeSpan.FromMinutes(4), o => o);
        return w;
    }

    static void Kill9(WorkerProcess w)
    {
        w.Signal("KILL");
        Assert.True(w.WaitForExit(TimeSpan.FromSeconds(10)));
    }

    /// <summary>A fresh worker finishes the trial: it resumed from <paramref name="resumedFromEpoch"/> and reproduced the baseline.</summary>
    async Task<Dggrn.Contracts.Api.TrialSummary> FinishOnAFreshWorkerAsync(Guid exp, Guid trial, int resumedFromEpoch,
        Dictionary<(string Name, long Step), double> baseline)
    {
        StartWorker();
        var done = await UntilStateAsync(exp, "Succeeded");
        Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{Logs}");
        Assert.Equal(resumedFromEpoch, done.ResumedFromEpoch);
        AssertSameMetrics(baseline, await _orch.MetricsAsync(trial));
        return done;
    }

    static void AssertSameMetrics(Dictionary<(string Name, long Step), double> expected, Dictionary<(string Name, long Step), double> actual)
    {
        // Wall-clock metrics differ between any two runs; everything computed from the data must not.
        static bool Deterministic(string n) => n != "epoch/seconds";
        var e = expected.Where(kv => Deterministic(kv.Key.Name)).OrderBy(kv => kv.Key).ToList();
        var a = actual.Where(kv => Deterministic(kv.Key.Name)).OrderBy(kv => kv.Key).ToList();
        Assert.Equal(e.Select(kv => kv.Key), a.Select(kv => kv.Key));
        foreach (var ((k, ev), (_, av)) in e.Zip(a)) Assert.True(ev == av, $"{k.Name}@{k.Step}: expected {ev:R}, found {av:R}");
        Assert.Equal(Enumerable.Range(1, Steps * Epochs).Select(i => (long)i), a.Where(kv => kv.Key.Name == "train/loss").Select(kv => kv.Key.Step));
    }

    [Dggrn.Tests.Common.Fault("SIGKILL a worker while training",
        "the trial resumes from its newest checkpoint on another worker; final metrics equal an uninterrupted run; every metric row present once; the orphaned trial process exits")]
    [Fact]
    public async Task KillMinus9MidEpochResumesOnAnotherWorkerWithTheUninterruptedMetrics()
    {
        var baseline = await BaselineAsync();
        var exp = await _orch.SubmitAsync(Spec("killed"), rerun: true);
        // Frozen 50 steps into epoch 2, past its first checkpoint: the kill loses the steps since then.
        var first = StartWorker(new Dictionary<string, string> { ["DGGRN_FAILPOINT"] = $"at-step:{Steps + 50}" });
        await Poll.UntilAsync(() => Task.FromResult(first.Output), o => o.Contains($"failpoint at-step reached at step {Steps + 50}", StringComparison.Ordinal),
            TimeSpan.FromMinutes(4), o => o);
        var trial = await _orch.TrialAsync(exp.Id);
        Assert.Equal("Running", trial.State);
        Assert.Equal([1], (await _orch.CheckpointsAsync(trial.Id)).Select(c => c.Epoch));
        Kill9(first);
        // The orphaned trial child notices its worker is gone and exits too.
        await Poll.UntilAsync(() => Task.FromResult(first.ChildPids.All(p => !Alive(p))), x => x, TimeSpan.FromSeconds(20), _ => "trial child outlived its worker");

        var done = await FinishOnAFreshWorkerAsync(exp.Id, trial.Id, resumedFromEpoch: 1, baseline);
        Assert.Equal(2, done.Attempts);
    }

    [Dggrn.Tests.Common.Fault("SIGKILL a worker while uploading a checkpoint",
        "the trial resumes from the previous recorded checkpoint with the uninterrupted metrics; the unrecorded object is reported by reconcile")]
    [Fact]
    public async Task KillMinus9DuringACheckpointUploadResumesFromThePreviousCheckpointAndTheOrphanIsFound()
    {
        var baseline = await BaselineAsync();
        var exp = await _orch.SubmitAsync(Spec("upload-killed"), rerun: true);
        // Frozen after the epoch-2 checkpoint is in the store but before it is recorded.
        var first = await StartFrozenAtAsync("after-checkpoint-put", 2);
        var trial = await UntilStateAsync(exp.Id, "Running");
        Kill9(first);

        await FinishOnAFreshWorkerAsync(exp.Id, trial.Id, resumedFromEpoch: 1, baseline);

        // The unrecorded epoch-2 object of attempt 1 is what reconcile reports as an object without a record.
        var store = new Dggrn.Checkpoints.LocalCheckpointStore(Path.Combine(_dir, "store"));
        var records = await _orch.CheckpointsAsync(trial.Id);
        var report = await new Dggrn.Worker.Service.Checkpoints.Reconciler(store, (t, _) => _orch.CheckpointsAsync(t), _ => { })
            .RunAsync(Dggrn.Checkpoints.StoreKeys.Trial(exp.Id, trial.Id), TimeSpan.FromHours(1), delete: false, DateTimeOffset.UtcNow, default);
        Assert.Contains(Dggrn.Checkpoints.StoreKeys.Checkpoint(exp.Id, trial.Id, 1, 2), report.ObjectsWithoutRecords);
        Assert.Empty(report.RecordsWithoutObjects);
        Assert.DoesNotContain(records, r => r.Attempt == 1 && r.Epoch == 2);
    }

    [Dggrn.Tests.Common.Fault("SIGKILL a worker while evaluating",
        "the trial resumes from the previous checkpoint; final metrics equal an uninterrupted run")]
    [Fact]
    public async Task KillMinus9DuringEvaluationResumesFromThePreviousCheckpointWithTheUninterruptedMetrics()
    {
        var baseline = await BaselineAsync();
        var exp = await _orch.SubmitAsync(Spec("eval-killed"), rerun: true);
        // Frozen once epoch 2's evaluation is computed and before any of it is reported.
        var first = await StartFrozenAtAsync("in-evaluation", 2);
        var trial = await UntilStateAsync(exp.Id, "Running");
        Assert.DoesNotContain(await _orch.MetricsAsync(trial.Id), kv => kv.Key.Name == "test/psnr" && kv.Key.Step == 2 * Steps);
        Kill9(first);

        await FinishOnAFreshWorkerAsync(exp.Id, trial.Id, resumedFromEpoch: 1, baseline);
    }

    [Dggrn.Tests.Common.Fault("SIGTERM a worker while training",
        "it checkpoints mid-epoch, hands the lease back and exits 0 within the drain bound; the next worker resumes there with the uninterrupted metrics")]
    [Fact]
    public async Task SigtermDrainsCheckpointsMidEpochReleasesTheLeaseAndExitsZero()
    {
        var baseline = await BaselineAsync();
        var exp = await _orch.SubmitAsync(Spec("drained"), rerun: true);
        // Held 10 steps into epoch 2 until the drain reaches the trial, so the drain lands mid-epoch on any machine.
        var first = StartWorker(new Dictionary<string, string> { ["Worker__DrainSeconds"] = "30", ["DGGRN_FAILPOINT"] = $"at-step:{Steps + 10}" });
        await Poll.UntilAsync(() => Task.FromResult(first.Output), o => o.Contains($"failpoint at-step reached at step {Steps + 10}", StringComparison.Ordinal),
            TimeSpan.FromMinutes(4), o => o);
        var trial = await _orch.TrialAsync(exp.Id);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        first.Signal("TERM");
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(40)), $"worker did not exit within the drain bound\n{first.Output}");
        Assert.Equal(0, first.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(35));
        var reasons = await _orch.StringsAsync("SELECT reason FROM trial_transitions WHERE trial_id = @t ORDER BY id", trial.Id);
        Assert.Contains(reasons, r => r.StartsWith("released", StringComparison.Ordinal));
        var midEpoch = (await _orch.CheckpointsAsync(trial.Id)).Where(c => c.Key.Contains("-step-", StringComparison.Ordinal)).ToList();
        Assert.Single(midEpoch);
        Assert.True(midEpoch[0].Step > Steps && midEpoch[0].Step < 2 * Steps, $"mid-epoch checkpoint at step {midEpoch[0].Step}");

        await FinishOnAFreshWorkerAsync(exp.Id, trial.Id, resumedFromEpoch: 2, baseline);
    }

    [Dggrn.Tests.Common.Fault("SIGTERM the trial process alone",
        "the trial drains and is released, not failed, and completes; the worker keeps running")]
    [Fact]
    public async Task SigtermToTheTrialProcessAloneDrainsItInsteadOfFailingIt()
    {
        var exp = await _orch.SubmitAsync(Spec("child-term"));
        var worker = StartWorker();
        var trial = await UntilStateAsync(exp.Id, "Running");
        await Poll.UntilAsync(() => MaxLossStepAsync(trial.Id), s => s > 5, TimeSpan.FromMinutes(3), s => $"step {s}\n{Logs}");
        WorkerProcess.SignalPid(worker.ChildPids.Single(), "TERM");

        var done = await UntilStateAsync(exp.Id, "Succeeded");
        Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{Logs}");
        var reasons = await _orch.StringsAsync("SELECT reason FROM trial_transitions WHERE trial_id = @t ORDER BY id", trial.Id);
        Assert.Contains(reasons, r => r.StartsWith("released", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, r => r.StartsWith("failed", StringComparison.Ordinal));
        Assert.False(worker.HasExited);
    }

    [Dggrn.Tests.Common.Fault("Freeze a worker and its trial (SIGSTOP) past the lease",
        "the lease lapses and the trial is requeued; the stale trial process stops; the trial completes with every step once")]
    [Fact]
    public async Task AWorkerFrozenPastItsLeaseComesBackWithoutRacingTheRequeuedTrial()
    {
        var exp = await _orch.SubmitAsync(Spec("frozen"));
        var worker = StartWorker();
        var trial = await UntilStateAsync(exp.Id, "Running");
        await Poll.UntilAsync(() => MaxLossStepAsync(trial.Id), s => s > 5, TimeSpan.FromMinutes(3), s => $"step {s}\n{Logs}");
        var firstChild = worker.ChildPids.Single();
        // Freeze the whole machine's share of this trial (worker and trial process), as a paused VM or a partition
        // would: no heartbeats, so the 4 s lease lapses and the trial is requeued. Freezing only the worker would let
        // the trial process finish on its own before the lease lapses on a fast machine.
        worker.Signal("STOP");
        WorkerProcess.SignalPid(firstChild, "STOP");
        try
        {
            await Poll.UntilAsync(() => _orch.StringsAsync("SELECT reason FROM trial_transitions WHERE trial_id = @t ORDER BY id", trial.Id),
                r => r.Count(x => x.Contains("lease", StringComparison.OrdinalIgnoreCase)) >= 1 && r.Any(x => x.Contains("expire", StringComparison.OrdinalIgnoreCase) || x.Contains("laps", StringComparison.OrdinalIgnoreCase)),
                TimeSpan.FromSeconds(60), r => string.Join(" | ", r));
        }
        finally
        {
            WorkerProcess.SignalPid(firstChild, "CONT");
            worker.Signal("CONT");
        }
        // The old attempt's process stops (its reports are refused, or the heartbeat names the lease lost) ...
        await Poll.UntilAsync(() => Task.FromResult(Alive(firstChild)), a => !a, TimeSpan.FromMinutes(2), _ => $"stale trial process still running\n{Logs}");
        // ... and the same worker, back in service, runs the next attempt to the end.
        var done = await UntilStateAsync(exp.Id, "Succeeded");
        Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{Logs}");
        Assert.Equal(2, done.Attempts);
        Assert.Equal(Enumerable.Range(1, Steps * Epochs).Select(i => (long)i),
            (await _orch.MetricsAsync(trial.Id)).Keys.Where(k => k.Name == "train/loss").Select(k => k.Step).Order());
    }

    [Dggrn.Tests.Common.Fault("SIGKILL the trial process",
        "the crash is reported with its cause, the trial is retried and completes; the worker survives")]
    [Fact]
    public async Task ACrashedTrialProcessIsReportedWithItsCauseAndRetried()
    {
        var exp = await _orch.SubmitAsync(Spec("crash"));
        var worker = StartWorker();
        var trial = await UntilStateAsync(exp.Id, "Running");
        await Poll.UntilAsync(() => MaxLossStepAsync(trial.Id), s => s > 5, TimeSpan.FromMinutes(3), s => $"step {s}\n{Logs}");
        WorkerProcess.SignalPid(worker.ChildPids.Single(), "KILL");

        var done = await UntilStateAsync(exp.Id, "Succeeded");
        Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{Logs}");
        Assert.False(worker.HasExited, "a trial's crash must not take the worker down");
        var reasons = await _orch.StringsAsync("SELECT reason FROM trial_transitions WHERE trial_id = @t ORDER BY id", trial.Id);
        Assert.Contains(reasons, r => r.Contains("SIGKILL", StringComparison.Ordinal));
    }

    [Dggrn.Tests.Common.Fault("A trial process stops making progress",
        "it is killed after Worker:HungTrialSeconds, reported as hung, and the trial completes")]
    [Fact]
    public async Task AHungTrialIsKilledAndReported()
    {
        var exp = await _orch.SubmitAsync(Spec("hung"));
        var worker = StartWorker(new Dictionary<string, string> { ["Worker__HungTrialSeconds"] = "8" }); // long enough that a loaded machine's slow start is not a hang
        var trial = await UntilStateAsync(exp.Id, "Running");
        await Poll.UntilAsync(() => MaxLossStepAsync(trial.Id), s => s > 5, TimeSpan.FromMinutes(3), s => $"step {s}\n{Logs}");
        var child = worker.ChildPids.Single();
        WorkerProcess.SignalPid(child, "STOP"); // alive but making no progress

        var reasons = await Poll.UntilAsync(() => _orch.StringsAsync("SELECT reason FROM trial_transitions WHERE trial_id = @t ORDER BY id", trial.Id),
            r => r.Any(x => x.Contains("hung", StringComparison.Ordinal)), TimeSpan.FromSeconds(60), r => string.Join(" | ", r) + "\n" + Logs);
        Assert.Contains(reasons, r => r.Contains("HungTrialSeconds", StringComparison.Ordinal));
        await Poll.UntilAsync(() => Task.FromResult(Alive(child)), a => !a, TimeSpan.FromSeconds(20), _ => "hung child still alive");
        var done = await UntilStateAsync(exp.Id, "Succeeded");
        Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{Logs}");
    }

    [Fact]
    public async Task CancellationFromTheOrchestratorStopsTheTrialAndTheWorkerCarriesOn()
    {
        var exp = await _orch.SubmitAsync(Spec("cancel"));
        var worker = StartWorker();
        var trial = await UntilStateAsync(exp.Id, "Running");
        await Poll.UntilAsync(() => MaxLossStepAsync(trial.Id), s => s > 5, TimeSpan.FromMinutes(3), s => $"step {s}\n{Logs}");
        var child = worker.ChildPids.Single();
        (await _orch.Admin.PostAsync($"/api/trials/{trial.Id}/cancel", null)).EnsureSuccessStatusCode();

        await Poll.UntilAsync(() => Task.FromResult(Alive(child)), a => !a, TimeSpan.FromSeconds(30), _ => $"cancelled trial's process still running\n{Logs}");
        Assert.Equal("Cancelled", (await _orch.TrialAsync(exp.Id)).State);
        Assert.DoesNotContain("trial process", (await _orch.TrialAsync(exp.Id)).Error ?? "");
        Assert.False(worker.HasExited);
        // The freed slot takes new work.
        var next = await _orch.SubmitAsync(Specs.OneDggrn("after-cancel", epochs: 1));
        var t = await Poll.UntilAsync(() => _orch.TrialAsync(next.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(3), t => $"{t.State}\n{Logs}");
        Assert.Equal("Succeeded", t.State);
    }

    static bool Alive(int pid)
    {
        // A zombie (exited, not yet reaped) counts as gone.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try { return !File.ReadAllText(stat).Split(") ")[1].StartsWith('Z'); }
        catch (IOException) { return false; }
    }
}
