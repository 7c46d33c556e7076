using Dggrn.Tests.Common;
using Dggrn.Worker.Tests.Fixtures;

namespace Dggrn.Worker.Tests.Faults;

/// <summary>A partitioned worker process: its heartbeats stop while its trial process keeps training and reporting.</summary>
public sealed class PartitionedWorkerTests
{
    const int Steps = 100, Epochs = 3;

    [Fault("A partitioned worker (real processes): the worker stops heartbeating (SIGSTOP) while its trial process keeps training",
        "the lease lapses on the server's clock and the trial runs on another worker; the stale trial process's late metrics and checkpoint are refused (409) and not stored in PostgreSQL, and it stops; the trial completes with every step once")]
    [Fact]
    public async Task A_worker_that_stops_heartbeating_loses_its_trial_and_its_late_reports_are_refused()
    {
        var dir = Directory.CreateTempSubdirectory("dggrn-partition-").FullName;
        await using var orch = await OrchestratorInstance.StartAsync(leaseTtlSeconds: 4);
        var token = await orch.WorkerTokenAsync();
        using var stale = new WorkerProcess(orch.BaseAddress, token, Path.Combine(dir, "store"), Path.Combine(dir, "scratch-stale"));
        WorkerProcess? next = null;
        try
        {
            var exp = await orch.SubmitAsync(Specs.OneDggrn("partition", epochs: Epochs, stepsPerEpoch: Steps));
            var trial = await Poll.UntilAsync(() => orch.TrialAsync(exp.Id), t => t.State == "Running", TimeSpan.FromMinutes(2), t => $"{t.State}\n{stale.Output}");
            await Poll.UntilAsync(() => orch.MetricsAsync(trial.Id), m => m.Keys.Count(k => k.Name == "train/loss") > 5, TimeSpan.FromMinutes(2), m => stale.Output);
            var child = stale.ChildPids.Single();

            // The partition: the worker (and so its heartbeats) stops. The trial process is held too until the lease has
            // lapsed, so that however fast this machine trains, it is still mid-trial when it carries on reporting.
            stale.Signal("STOP");
            WorkerProcess.SignalPid(child, "STOP");
            var lapsed = await Poll.UntilAsync(() => orch.StringsAsync(
                    "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM trial_transitions WHERE trial_id = @t AND reason = 'lease expired'", trial.Id),
                r => r.Count > 0, TimeSpan.FromSeconds(30), _ => "lease did not lapse");
            WorkerProcess.SignalPid(child, "CONT");
            Assert.True(Alive(child), "the trial process ended before the partition; it must keep running behind it");
            // The stale trial process is refused (metrics, then its next checkpoint) and gives up.
            await Poll.UntilAsync(() => Task.FromResult(Alive(child)), a => !a, TimeSpan.FromMinutes(3), _ => "the stale trial process is still running");

            next = new WorkerProcess(orch.BaseAddress, token, Path.Combine(dir, "store"), Path.Combine(dir, "scratch-next"));
            var w = next;
            var done = await Poll.UntilAsync(() => orch.TrialAsync(exp.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(4), t => $"{t.State}\n{w.Output}");
            Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{w.Output}");
            Assert.Equal(2, done.Attempts);

            // Nothing the stale attempt sent after its lease lapsed was stored.
            var at = lapsed.Single();
            var lateBatches = await orch.StringsAsync($"SELECT count(*) FROM metric_batches WHERE trial_id = @t AND attempt = 1 AND at > '{at}'::timestamp AT TIME ZONE 'UTC'", trial.Id);
            Assert.Equal("0", lateBatches.Single());
            var lateCheckpoints = await orch.StringsAsync($"SELECT count(*) FROM checkpoints WHERE trial_id = @t AND attempt = 1 AND created_at > '{at}'::timestamp AT TIME ZONE 'UTC'", trial.Id);
            Assert.Equal("0", lateCheckpoints.Single());
            Assert.Equal(Enumerable.Range(1, Steps * Epochs).Select(i => (long)i),
                (await orch.MetricsAsync(trial.Id)).Keys.Where(k => k.Name == "train/loss").Select(k => k.Step).Order());
            // Attempt 2 re-reported everything after the checkpoint it resumed from: no point of attempt 1 remains beyond it.
            var resumedAt = (done.ResumedFromEpoch ?? 0) * (long)Steps;
            Assert.Equal("0", (await orch.StringsAsync($"SELECT count(*) FROM metrics WHERE trial_id = @t AND attempt = 1 AND step > {resumedAt}", trial.Id)).Single());
        }
        finally
        {
            foreach (var pid in stale.ChildPids) WorkerProcess.SignalPid(pid, "CONT");
            stale.Signal("CONT");
            next?.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    static bool Alive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try { return !File.ReadAllText(stat).Split(") ")[1].StartsWith('Z'); }
        catch (IOException) { return false; }
    }
}
