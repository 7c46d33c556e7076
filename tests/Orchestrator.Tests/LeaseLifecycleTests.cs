using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Npgsql;

namespace Dggrn.Orchestrator.Tests;

/// <summary>The worker protocol end to end over HTTP against a real silo and PostgreSQL.</summary>
public sealed class LeaseLifecycleTests : IAsyncLifetime
{
    OrchestratorServer _s = null!;

    public async Task InitializeAsync() => _s = await OrchestratorServer.StartAsync();
    public async Task DisposeAsync() => await _s.DisposeAsync();

    static EvalResult Result(double psnr, double ssim) => new()
    {
        Method = "noop", Scale = 2,
        Overall = new AxisResult { Slices = 3, Psnr = psnr, Ssim = ssim, PerSlicePsnr = [psnr - 1, psnr, psnr + 1], PerSliceSsim = [ssim, ssim, ssim] },
        Axes = new() { ["0"] = new AxisResult { Slices = 1, Psnr = psnr, Ssim = ssim, PerSlicePsnr = [psnr] } },
    };

    [Fact]
    public async Task Register_lease_heartbeat_metrics_checkpoint_complete()
    {
        var exp = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(1));
        Assert.Equal(1, exp.Trials);
        var w = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));

        var grant = Assert.Single(await w.LeaseAsync(4));
        Assert.Equal(1, grant.Attempt);
        Assert.Null(grant.ResumeFrom);
        Assert.Equal("noop", grant.Config.Method);
        Assert.Empty(await w.LeaseAsync(4));

        (await w.PostAsync(grant.TrialId, "started", new TrialStartedRequest(grant.LeaseId, null))).EnsureSuccessStatusCode();
        var hb = await w.HeartbeatAsync(new TrialProgress(grant.TrialId, grant.LeaseId, 1, 10));
        Assert.Empty(hb.Cancel);
        Assert.Empty(hb.Lost);

        var at = DateTimeOffset.UtcNow;
        var batch = new MetricBatch(grant.LeaseId, 1, 0, [new("train/loss", 10, 1, 0.5, at), new("train/loss", 20, 1, 0.25, at), new("test/psnr", 20, 1, 30.5, at)]);
        (await w.PostAsync(grant.TrialId, "metrics", batch)).EnsureSuccessStatusCode();
        // A retry of the same sequence is acknowledged and stores nothing (its 99 never replaces 0.5 below).
        (await w.PostAsync(grant.TrialId, "metrics", batch with { Points = [new("train/loss", 10, 1, 99, at)] })).EnsureSuccessStatusCode();
        var next = new MetricBatch(grant.LeaseId, 1, 1, [new("train/loss", 20, 1, 0.2, at)]);
        (await w.PostAsync(grant.TrialId, "metrics", next)).EnsureSuccessStatusCode();
        Assert.Equal([(10L, 0.5), (20L, 0.2)], await LossesAsync(grant.TrialId));

        var cp = new CheckpointInfo(1, 1, 20, $"experiments/{exp.Id}/trials/{grant.TrialId}/attempt-1/epoch-1.ckpt", new string('a', 64), 1234, 30.5);
        var rec = await (await w.PostAsync(grant.TrialId, "checkpoints", new CheckpointRecordRequest(grant.LeaseId, cp))).Content.ReadFromJsonAsync<CheckpointRecordResponse>(OrchestratorServer.Json);
        Assert.Empty(rec!.Delete);
        Assert.Equal(cp, await w.Http.GetFromJsonAsync<CheckpointInfo>($"/api/trials/{grant.TrialId}/checkpoints/latest", OrchestratorServer.Json));

        var done = new TrialCompletedRequest(grant.LeaseId, 1, Result(31.25, 0.91), 1000, 2.5);
        (await w.PostAsync(grant.TrialId, "complete", done)).EnsureSuccessStatusCode();
        (await w.PostAsync(grant.TrialId, "complete", done)).EnsureSuccessStatusCode(); // a retried report is idempotent

        var detail = await TestSpecs.DetailAsync(_s.Admin, exp.Id);
        Assert.Equal("Succeeded", detail.State);
        Assert.Equal(0.0, detail.EtaSeconds);
        var t = Assert.Single(detail.Trials);
        Assert.Equal(("Succeeded", 1, w.Id, 1), (t.State, t.Attempts, t.Worker, t.Epoch));
        Assert.Null(t.ResumedFromEpoch);
        Assert.Equal(31.25, t.Metrics["test/psnr"]);
        Assert.Equal(0.91, t.Metrics["test/ssim"]);
        Assert.Equal(31.25, t.BestPsnr);

        // status JSON keys the CLI relies on
        var raw = await _s.Admin.GetFromJsonAsync<JsonElement>($"/api/experiments/{exp.Id}");
        foreach (var k in new[] { "id", "name", "state", "trials" }) Assert.True(raw.TryGetProperty(k, out _), k);
        var rt = raw.GetProperty("trials")[0];
        foreach (var k in new[] { "id", "state", "attempts", "worker", "epoch", "resumedFromEpoch", "metrics" }) Assert.True(rt.TryGetProperty(k, out _), k);

        Assert.Equal(["Pending", "Leased", "Running", "Succeeded"], await TransitionsAsync(grant.TrialId));
        await using var c = new NpgsqlConnection(_s.Database.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT axis, per_slice_psnr FROM evaluations WHERE trial_id = @t ORDER BY axis", c);
        cmd.Parameters.AddWithValue("t", grant.TrialId);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal(-1, r.GetInt32(0));
        Assert.Equal([30.25, 31.25, 32.25], r.GetFieldValue<double[]>(1));
        Assert.True(await r.ReadAsync());
        Assert.Equal(0, r.GetInt32(0));
    }

    [Fact]
    public async Task Cancel_reaches_the_worker_in_the_next_heartbeat_and_stale_reports_are_refused()
    {
        var (exp, w, grants) = await WorkerClient.SubmitAndLeaseAsync(_s, 2, "cancel", lease: 2);
        (await _s.Admin.PostAsync($"/api/trials/{grants[0].TrialId}/cancel", null)).EnsureSuccessStatusCode();
        var hb = await w.HeartbeatAsync([.. grants.Select(g => new TrialProgress(g.TrialId, g.LeaseId, 0, 0))]);
        Assert.Equal([grants[0].TrialId], hb.Cancel);
        Assert.Empty(hb.Lost);
        var late = await w.PostAsync(grants[0].TrialId, "complete", new TrialCompletedRequest(grants[0].LeaseId, 1, Result(1, 0.1), 1, 1));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);

        (await _s.Admin.PostAsync($"/api/experiments/{exp.Id}/cancel", null)).EnsureSuccessStatusCode();
        var detail = await TestSpecs.DetailAsync(_s.Admin, exp.Id);
        Assert.Equal("Cancelled", detail.State);
        Assert.All(detail.Trials, t => Assert.Equal("Cancelled", t.State));
    }

    [Fact]
    public async Task Tokens_are_required_and_scoped()
    {
        using var anonymous = _s.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/experiments")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _s.Admin.GetAsync("/openapi/v1.json")).StatusCode);

        using var viewer = _s.Client(await _s.TokenAsync("viewer"));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/experiments")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/experiments", new SubmitRequest(null, "smoke"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/tokens", new CreateTokenRequest("x", "admin"))).StatusCode);

        var a = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        var b = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        var asB = await b.Http.PostAsJsonAsync($"/api/workers/{a.Id}/heartbeat", new HeartbeatRequest([], 0));
        Assert.Equal(HttpStatusCode.Forbidden, asB.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await b.Http.GetAsync("/api/experiments")).StatusCode);

        var single = await _s.Admin.PostAsJsonAsync("/api/tokens", new CreateTokenRequest("once", "viewer", SingleUse: true));
        using var once = _s.Client((await single.Content.ReadFromJsonAsync<CreateTokenResponse>(OrchestratorServer.Json))!.Token);
        Assert.Equal(HttpStatusCode.OK, (await once.GetAsync("/api/workers")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await once.GetAsync("/api/workers")).StatusCode);
    }

    async Task<List<(long, double)>> LossesAsync(Guid trial)
    {
        await using var c = new NpgsqlConnection(_s.Database.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT step, value FROM metrics WHERE trial_id = @t AND name = 'train/loss' ORDER BY step", c);
        cmd.Parameters.AddWithValue("t", trial);
        var list = new List<(long, double)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add((r.GetInt64(0), r.GetDouble(1)));
        return list;
    }

    internal static async Task<List<string>> TransitionsAsync(string cs, Guid trial)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT to_state FROM trial_transitions WHERE trial_id = @t ORDER BY id", c);
        cmd.Parameters.AddWithValue("t", trial);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.GetString(0));
        return list;
    }

    Task<List<string>> TransitionsAsync(Guid trial) => TransitionsAsync(_s.Database.ConnectionString, trial);
}
