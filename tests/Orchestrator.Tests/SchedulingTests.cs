using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Npgsql;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Leases under expiry, concurrency, priorities, pause and reuse, over HTTP with a short lease TTL.</summary>
public sealed class SchedulingTests : IAsyncLifetime
{
    OrchestratorServer _s = null!;

    public async Task InitializeAsync() => _s = await OrchestratorServer.StartAsync(new()
    {
        ["Orchestrator:LeaseTtlSeconds"] = "2",
        ["Orchestrator:MaxAttempts"] = "2",
        ["Orchestrator:LeaseScanMilliseconds"] = "100",
    });

    public async Task DisposeAsync() => await _s.DisposeAsync();

    static EvalResult Eval(double psnr) => new() { Method = "noop", Scale = 2, Overall = new AxisResult { Slices = 1, Psnr = psnr, Ssim = 0.5 } };

    async Task<TrialSummary> TrialAsync(Guid exp, Guid trial) => (await TestSpecs.DetailAsync(_s.Admin, exp)).Trials.Single(t => t.Id == trial);

    [Fact]
    public async Task Lapsed_lease_requeues_with_next_attempt_resuming_from_the_newest_checkpoint_then_fails_after_max_attempts()
    {
        var exp = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(1, "expiry"));
        var token = await _s.TokenAsync("worker");
        var w1 = await WorkerClient.RegisterAsync(_s, token);
        var g1 = Assert.Single(await w1.LeaseAsync(1));
        (await w1.PostAsync(g1.TrialId, "started", new TrialStartedRequest(g1.LeaseId, null))).EnsureSuccessStatusCode();
        foreach (var e in new[] { 1, 2 })
        {
            var cp = new CheckpointInfo(1, e, e * 10, $"experiments/{exp.Id}/trials/{g1.TrialId}/attempt-1/epoch-{e}.ckpt", new string('c', 64), 10, 20 + e);
            (await w1.PostAsync(g1.TrialId, "checkpoints", new CheckpointRecordRequest(g1.LeaseId, cp))).EnsureSuccessStatusCode();
        }
        // w1 goes silent: the lease lapses after 2 s and the scan returns the trial to Pending.
        var pending = await Polling.UntilAsync(() => TrialAsync(exp.Id, g1.TrialId), t => t.State == "Pending", TimeSpan.FromSeconds(10), "requeue after lease expiry");
        Assert.Equal(1, pending.Attempts);
        Assert.Contains("lease expired", pending.Error);

        var w2 = await WorkerClient.RegisterAsync(_s, token);
        var g2 = Assert.Single(await w2.LeaseAsync(1));
        Assert.Equal((g1.TrialId, 2), (g2.TrialId, g2.Attempt));
        Assert.NotEqual(g1.LeaseId, g2.LeaseId);
        Assert.Equal(2, g2.ResumeFrom!.Epoch);
        Assert.Equal(20, g2.ResumeFrom.Step);
        // The old holder is told it lost the lease and may no longer report.
        var hb = await w1.HeartbeatAsync(new TrialProgress(g1.TrialId, g1.LeaseId, 2, 20));
        Assert.Equal([g1.TrialId], hb.Lost);
        Assert.Equal(HttpStatusCode.Conflict, (await w1.PostAsync(g1.TrialId, "metrics", new MetricBatch(g1.LeaseId, 1, 9, []))).StatusCode);
        (await w2.PostAsync(g2.TrialId, "started", new TrialStartedRequest(g2.LeaseId, 2))).EnsureSuccessStatusCode();
        Assert.Equal(2, (await TrialAsync(exp.Id, g1.TrialId)).ResumedFromEpoch);

        // The second attempt lapses too: MaxAttempts = 2, so the trial fails with the last error.
        var failed = await Polling.UntilAsync(() => TrialAsync(exp.Id, g1.TrialId), t => t.State == "Failed", TimeSpan.FromSeconds(10), "failure after max attempts");
        Assert.Contains("attempt 2", failed.Error);
        Assert.Equal("Failed", (await TestSpecs.DetailAsync(_s.Admin, exp.Id)).State);
        Assert.Equal(["Pending", "Leased", "Running", "Pending", "Leased", "Running", "Failed"],
            await LeaseLifecycleTests.TransitionsAsync(_s.Database.ConnectionString, g1.TrialId));
    }

    [Fact]
    public async Task Concurrent_lease_calls_never_grant_one_trial_twice()
    {
        var exp = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(40, "race"));
        var token = await _s.TokenAsync("worker");
        var workers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => WorkerClient.RegisterAsync(_s, token)));
        var grants = new ConcurrentBag<LeaseGrant>();
        await Task.WhenAll(workers.Select(async w =>
        {
            for (int i = 0; i < 4; i++)
                foreach (var g in await w.LeaseAsync(3)) grants.Add(g);
        }));
        Assert.Equal(40, grants.Count);
        Assert.Equal(40, grants.Select(g => g.TrialId).Distinct().Count());
        await using var c = new NpgsqlConnection(_s.Database.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT count(*) FROM trial_transitions x JOIN trials t ON t.id = x.trial_id
            WHERE t.experiment_id = @e AND x.to_state = 'Leased'
            """, c);
        cmd.Parameters.AddWithValue("e", exp.Id);
        Assert.Equal(40L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Priority_first_then_fair_share_and_device_fit()
    {
        var low1 = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(4, "low1"), priority: 0);
        var low2 = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(4, "low2"), priority: 0);
        var high = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(2, "high"), priority: 5);
        var w = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        var first = await w.LeaseAsync(2);
        Assert.All(first, g => Assert.Equal(high.Id, g.ExperimentId));
        var next = await w.LeaseAsync(4);
        Assert.Equal(2, next.Count(g => g.ExperimentId == low1.Id));
        Assert.Equal(2, next.Count(g => g.ExperimentId == low2.Id));

        // A trial that needs more memory than offered is not leased; a cuda-only spec is not offered to a CPU.
        var cuda = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(1, "gpu-only").Replace("name: gpu-only", "name: gpu-only\ndevice: cuda"), priority: 9);
        Assert.DoesNotContain(await w.LeaseAsync(1, device: "cpu"), g => g.ExperimentId == cuda.Id);
        var big = await TestSpecs.SubmitAsync(_s.Admin, """
            name: big
            priority: 10
            datasets: [{ name: P, train: ["phantom:seed=1"], test: ["phantom:seed=2"] }]
            grid: [{ methods: [dggrn], filters: [128] }]
            """, priority: 10);
        Assert.Empty(await w.LeaseAsync(1, freeMemory: 32L << 20, device: "cuda:0"));
        Assert.Equal(big.Id, Assert.Single(await w.LeaseAsync(1, freeMemory: 64L << 30, device: "cuda:0")).ExperimentId);
        Assert.Equal(cuda.Id, Assert.Single(await w.LeaseAsync(1, device: "cuda:0")).ExperimentId);
    }

    [Fact]
    public async Task Pause_holds_trials_and_resume_releases_them()
    {
        var exp = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(2, "pause"), priority: 100);
        var w = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        var g = await w.LeaseAsync(1);
        Assert.Equal(exp.Id, g[0].ExperimentId);
        (await _s.Admin.PostAsync($"/api/experiments/{exp.Id}/pause", null)).EnsureSuccessStatusCode();
        Assert.Equal("Paused", (await TestSpecs.DetailAsync(_s.Admin, exp.Id)).State);
        var hb = await w.HeartbeatAsync(new TrialProgress(g[0].TrialId, g[0].LeaseId, 0, 0));
        Assert.Equal([g[0].TrialId], hb.Cancel);
        Assert.DoesNotContain(await w.LeaseAsync(10), x => x.ExperimentId == exp.Id);
        (await _s.Admin.PostAsync($"/api/experiments/{exp.Id}/resume", null)).EnsureSuccessStatusCode();
        var again = await w.LeaseAsync(2);
        Assert.Equal(2, again.Count(x => x.ExperimentId == exp.Id));
        // Pausing does not spend an attempt: the first lease was attempt 1, the resumed one is attempt 2 of 3 allowed.
        Assert.Equal(2, again.Single(x => x.TrialId == g[0].TrialId).Attempt);
    }

    [Fact]
    public async Task Identical_succeeded_trials_are_reused_unless_rerun_is_asked()
    {
        var spec = TestSpecs.Noop(2, "reuse");
        var first = await TestSpecs.SubmitAsync(_s.Admin, spec, priority: 50);
        var w = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        foreach (var g in await w.LeaseAsync(2))
            (await w.PostAsync(g.TrialId, "complete", new TrialCompletedRequest(g.LeaseId, 1, Eval(25), 0, 1))).EnsureSuccessStatusCode();
        Assert.Equal("Succeeded", (await TestSpecs.DetailAsync(_s.Admin, first.Id)).State);

        var second = await TestSpecs.SubmitAsync(_s.Admin, spec);
        Assert.Equal((2, 2), (second.Trials, second.Reused));
        var detail = await TestSpecs.DetailAsync(_s.Admin, second.Id);
        Assert.Equal("Succeeded", detail.State);
        var originals = (await TestSpecs.DetailAsync(_s.Admin, first.Id)).Trials.Select(t => t.Id).ToHashSet();
        Assert.All(detail.Trials, t =>
        {
            Assert.Equal("Succeeded", t.State);
            Assert.Contains(t.ReusedFrom!.Value, originals);
            Assert.Equal(25, t.Metrics["test/psnr"]);
            Assert.Equal(0, t.Attempts);
        });
        var rerun = await TestSpecs.SubmitAsync(_s.Admin, spec, rerun: true);
        Assert.Equal(0, rerun.Reused);
        Assert.All((await TestSpecs.DetailAsync(_s.Admin, rerun.Id)).Trials, t => Assert.Equal("Pending", t.State));
    }

    [Fact]
    public async Task Invalid_specs_and_missing_paper_datasets_are_400_with_paths()
    {
        var bad = await _s.Admin.PostAsJsonAsync("/api/experiments", new SubmitRequest("name: x\ngrid: []\ndatasets: []\nfoo: 1", null));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<SpecErrorsResponse>(OrchestratorServer.Json))!.Errors;
        Assert.Contains(errors, e => e.Path == "foo");
        Assert.Contains(errors, e => e.Path == "grid" && e.Message == "the list is empty");

        var paper = await _s.Admin.PostAsJsonAsync("/api/experiments", new SubmitRequest(null, "paper"));
        Assert.Equal(HttpStatusCode.BadRequest, paper.StatusCode);
        var missing = (await paper.Content.ReadFromJsonAsync<SpecErrorsResponse>(OrchestratorServer.Json))!.Errors;
        Assert.Contains(missing, e => e.Path == "datasets[0].train" && e.Message.Contains("Datasets:BrainWeb:Train") && e.Message.Contains("Datasets__BrainWeb__Train"));
        Assert.Contains(missing, e => e.Path == "datasets[2].test" && e.Message.Contains("Datasets:IXI:Test"));
        Assert.Equal(6, missing.Length);

        var valid = await _s.Admin.PostAsJsonAsync("/api/specs/validate", new SubmitRequest(null, "smoke"));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }
}
