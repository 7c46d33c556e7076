using Dggrn.Tests.Common;
using Dggrn.Worker.Tests.Fixtures;

namespace Dggrn.Worker.Tests.Faults;

/// <summary>A worker killed with SIGKILL while it holds nothing.</summary>
public sealed class IdleWorkerKillTests
{
    [Fault("SIGKILL a worker while idle",
        "nothing is leased to the dead worker: an experiment submitted afterwards runs on another worker on its first attempt with every step once; the dead worker is listed as holding nothing")]
    [Fact]
    public async Task An_idle_worker_killed_with_sigkill_costs_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("dggrn-idle-kill-").FullName;
        try
        {
            await using var orch = await OrchestratorInstance.StartAsync(leaseTtlSeconds: 4);
            var token = await orch.WorkerTokenAsync();
            using var idle = new WorkerProcess(orch.BaseAddress, token, Path.Combine(dir, "store"), Path.Combine(dir, "scratch-idle"));
            // Registered and asking for work (it has polled for a lease at least once since registering).
            await Poll.UntilAsync(() => Task.FromResult(idle.Output), o => o.Contains("registered as", StringComparison.Ordinal), TimeSpan.FromMinutes(1), o => o);
            var idleId = await Poll.UntilAsync(() => orch.StringsAsync("SELECT id FROM workers WHERE pid = " + idle.Pid + " AND @t IS NOT NULL", Guid.Empty),
                ids => ids.Count == 1, TimeSpan.FromSeconds(30), ids => $"{ids.Count} rows");
            idle.Signal("KILL");
            Assert.True(idle.WaitForExit(TimeSpan.FromSeconds(10)));

            var exp = await orch.SubmitAsync(Specs.OneDggrn("after-idle-kill", epochs: 2, stepsPerEpoch: 15));
            using var other = new WorkerProcess(orch.BaseAddress, token, Path.Combine(dir, "store"), Path.Combine(dir, "scratch-other"));
            var done = await Poll.UntilAsync(() => orch.TrialAsync(exp.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(3), t => $"{t.State}\n{other.Output}");
            Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{other.Output}");
            Assert.Equal(1, done.Attempts);
            Assert.NotEqual(idleId.Single(), done.Worker);
            Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i),
                (await orch.MetricsAsync(done.Id)).Keys.Where(k => k.Name == "train/loss").Select(k => k.Step).Order());
            var held = await orch.StringsAsync("SELECT count(*) FROM trial_transitions tt JOIN trials t ON t.id = tt.trial_id WHERE t.worker_id = '" + idleId.Single() + "' AND @t IS NOT NULL", Guid.Empty);
            Assert.Equal("0", held.Single());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
