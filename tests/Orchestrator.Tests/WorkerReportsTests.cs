using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Npgsql;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Checkpoint retention, failure paths, live metric notifications, logs/artifacts and the workers listing.</summary>
public sealed class WorkerReportsTests : IAsyncLifetime
{
    OrchestratorServer _s = null!;

    public async Task InitializeAsync() => _s = await OrchestratorServer.StartAsync();
    public async Task DisposeAsync() => await _s.DisposeAsync();

    async Task<(WorkerClient W, LeaseGrant G, SubmitResponse E)> LeaseOneAsync(string spec)
    {
        var e = await TestSpecs.SubmitAsync(_s.Admin, spec);
        var w = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        return (w, Assert.Single(await w.LeaseAsync(1)), e);
    }

    static CheckpointInfo Cp(Guid exp, Guid trial, int epoch, double psnr) =>
        new(1, epoch, epoch * 100, $"experiments/{exp}/trials/{trial}/attempt-1/epoch-{epoch}.ckpt", new string('e', 64), 100, psnr);

    [Fact]
    public async Task Retention_keeps_the_latest_and_the_best_and_forgets_retired_records_one_call_later()
    {
        var (w, g, e) = await LeaseOneAsync(TestSpecs.Noop(1, "retention", keepBest: 1));
        async Task<string[]> Record(int epoch, double psnr)
        {
            var r = await w.PostAsync(g.TrialId, "checkpoints", new CheckpointRecordRequest(g.LeaseId, Cp(e.Id, g.TrialId, epoch, psnr)));
            r.EnsureSuccessStatusCode();
            return (await r.Content.ReadFromJsonAsync<CheckpointRecordResponse>(OrchestratorServer.Json))!.Delete;
        }
        var key = Cp(e.Id, g.TrialId, 1, 0).Key;
        Assert.Empty(await Record(1, 30));                                     // 1 is latest and best
        Assert.Equal([key], await Record(2, 32));                              // 2 is latest and best: 1 is retired
        var list = await w.Http.GetFromJsonAsync<CheckpointInfo[]>($"/api/trials/{g.TrialId}/checkpoints", OrchestratorServer.Json);
        Assert.Equal([2], list!.Select(c => c.Epoch));
        Assert.Empty(await Record(3, 31));                                     // latest 3, best 2; record 1 forgotten now
        Assert.Equal([3, 2], (await w.Http.GetFromJsonAsync<CheckpointInfo[]>($"/api/trials/{g.TrialId}/checkpoints", OrchestratorServer.Json))!.Select(c => c.Epoch));
        Assert.Equal([Cp(e.Id, g.TrialId, 3, 0).Key], await Record(4, 29));    // latest 4, best 2: 3 is retired
        Assert.Equal(4, (await w.Http.GetFromJsonAsync<CheckpointInfo>($"/api/trials/{g.TrialId}/checkpoints/latest", OrchestratorServer.Json))!.Epoch);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM checkpoints WHERE retired_at IS NOT NULL"));
        await Record(5, 28);                                                  // the record retired one call ago is forgotten now
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM checkpoints WHERE key = '{Cp(e.Id, g.TrialId, 3, 0).Key}'"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM checkpoints WHERE key = '{key}'"));
    }

    [Fact]
    public async Task Worker_tokens_read_only_their_own_trials_checkpoints_and_people_read_all()
    {
        var (w, g, e) = await LeaseOneAsync(TestSpecs.Noop(1, "cp-read"));
        (await w.PostAsync(g.TrialId, "checkpoints", new CheckpointRecordRequest(g.LeaseId, Cp(e.Id, g.TrialId, 1, 30)))).EnsureSuccessStatusCode();
        var stranger = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        foreach (var path in new[] { $"/api/trials/{g.TrialId}/checkpoints", $"/api/trials/{g.TrialId}/checkpoints/latest" })
        {
            using var denied = await stranger.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Contains(w.Id, await denied.Content.ReadAsStringAsync());
            using var own = await w.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }
        using var viewer = _s.Client(await _s.TokenAsync("viewer"));
        Assert.Equal([1], (await viewer.GetFromJsonAsync<CheckpointInfo[]>($"/api/trials/{g.TrialId}/checkpoints", OrchestratorServer.Json))!.Select(c => c.Epoch));
        using var never = await stranger.Http.GetAsync($"/api/trials/{Guid.NewGuid()}/checkpoints");
        Assert.Equal(HttpStatusCode.NotFound, never.StatusCode);
    }

    [Fact]
    public async Task Retryable_failure_requeues_and_a_fatal_one_fails_with_its_error()
    {
        var (w, g, e) = await LeaseOneAsync(TestSpecs.Noop(1, "fail"));
        (await w.PostAsync(g.TrialId, "failed", new TrialFailedRequest(g.LeaseId, "CUDA out of memory", true))).EnsureSuccessStatusCode();
        var again = Assert.Single(await w.LeaseAsync(1));
        Assert.Equal(2, again.Attempt);
        (await w.PostAsync(g.TrialId, "failed", new TrialFailedRequest(again.LeaseId, "volume unreadable", false))).EnsureSuccessStatusCode();
        var t = Assert.Single((await TestSpecs.DetailAsync(_s.Admin, e.Id)).Trials);
        Assert.Equal(("Failed", "volume unreadable"), (t.State, t.Error));
        Assert.Equal("Failed", (await TestSpecs.DetailAsync(_s.Admin, e.Id)).State);
        // Release of a live lease requeues without spending an attempt.
        var (w2, g2, e2) = await LeaseOneAsync(TestSpecs.Noop(1, "release").Replace("seed: [0]", "seed: [7]"));
        (await w2.PostAsync(g2.TrialId, "release", new TrialReleaseRequest(g2.LeaseId, "draining"))).EnsureSuccessStatusCode();
        Assert.Equal("Pending", Assert.Single((await TestSpecs.DetailAsync(_s.Admin, e2.Id)).Trials).State);
        Assert.Equal(HttpStatusCode.Conflict, (await w2.PostAsync(g2.TrialId, "started", new TrialStartedRequest(g2.LeaseId, null))).StatusCode);
    }

    [Fact]
    public async Task Metric_batches_notify_listeners_after_commit()
    {
        var (w, g, _) = await LeaseOneAsync(TestSpecs.Noop(1, "notify"));
        await using var listen = new NpgsqlConnection(_s.Database.ConnectionString);
        await listen.OpenAsync();
        var got = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        listen.Notification += (_, n) => { if (n.Channel == "dggrn_metrics") got.TrySetResult(n.Payload); };
        await using (var cmd = new NpgsqlCommand("LISTEN dggrn_metrics", listen)) await cmd.ExecuteNonQueryAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var wait = Task.Run(async () => { while (!got.Task.IsCompleted) await listen.WaitAsync(cts.Token); }, cts.Token);
        (await w.PostAsync(g.TrialId, "metrics", new MetricBatch(g.LeaseId, 1, 0, [new("test/psnr", 5, 1, 20, DateTimeOffset.UtcNow)]))).EnsureSuccessStatusCode();
        Assert.Equal(g.TrialId.ToString(), await got.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await wait;
    }

    [Fact]
    public async Task Large_batches_take_the_copy_path_with_the_same_semantics()
    {
        var (w, g, _) = await LeaseOneAsync(TestSpecs.Noop(1, "copy"));
        var at = DateTimeOffset.UtcNow;
        // 400 points (over the COPY threshold of 256): steps 0..399, and step 7 reported twice (the later value wins).
        var points = Enumerable.Range(0, 400).Select(i => new MetricPoint("train/loss", i, 1, i, at)).Append(new MetricPoint("train/loss", 7, 1, -7, at)).ToArray();
        var batch = new MetricBatch(g.LeaseId, 1, 0, points);
        (await w.PostAsync(g.TrialId, "metrics", batch)).EnsureSuccessStatusCode();
        (await w.PostAsync(g.TrialId, "metrics", batch)).EnsureSuccessStatusCode(); // a retry: acknowledged, claims no second batch
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM metric_batches WHERE trial_id = '{g.TrialId}'"));
        Assert.Equal(400, await CountAsync($"SELECT count(*) FROM metrics WHERE trial_id = '{g.TrialId}'"));
        Assert.Equal(-7, await CountAsync($"SELECT value::bigint FROM metrics WHERE trial_id = '{g.TrialId}' AND step = 7"));
        Assert.Equal(399 * 400 / 2 - 7 - 7, await CountAsync($"SELECT sum(value)::bigint FROM metrics WHERE trial_id = '{g.TrialId}'"));
        var stale = batch with { LeaseId = Guid.NewGuid(), Sequence = 1 };
        Assert.Equal(HttpStatusCode.Conflict, (await w.PostAsync(g.TrialId, "metrics", stale)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await w.PostAsync(g.TrialId, "metrics", stale with { Points = [points[0]] })).StatusCode);
    }

    [Fact]
    public async Task Logs_artifacts_and_the_workers_listing()
    {
        var (w, g, e) = await LeaseOneAsync(TestSpecs.Noop(1, "logs"));
        (await w.PostAsync(g.TrialId, "log", new TrialLogRequest(g.LeaseId, ["epoch 1", "epoch 2"]))).EnsureSuccessStatusCode();
        var key = $"experiments/{e.Id}/trials/{g.TrialId}/images/epoch-1/sr-axis0-slice3.png";
        (await w.PostAsync(g.TrialId, "artifacts", new ArtifactRecordRequest(g.LeaseId, 1, "sr", 0, 3, key))).EnsureSuccessStatusCode();
        Assert.Equal(2, await CountAsync($"SELECT count(*) FROM trial_logs WHERE trial_id = '{g.TrialId}' AND attempt = 1"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM artifacts WHERE key = '{key}'"));

        var workers = await _s.Admin.GetFromJsonAsync<JsonElement>("/api/workers");
        var me = workers.EnumerateArray().Single(x => x.GetProperty("id").GetString() == w.Id);
        foreach (var k in new[] { "id", "host", "pid", "device", "slots", "freeSlots", "trials" }) Assert.True(me.TryGetProperty(k, out _), k);
        Assert.Equal(g.TrialId, me.GetProperty("trials")[0].GetGuid());
        Assert.Equal(4, me.GetProperty("slots").GetInt32());
        Assert.Equal("Active", me.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Lost_workers_are_listed_as_lost_then_forgotten_unless_they_hold_a_trial()
    {
        var token = await _s.TokenAsync("worker");
        var recent = await WorkerClient.RegisterAsync(_s, token, "recently-lost");
        var old = await WorkerClient.RegisterAsync(_s, token, "long-gone");
        var (holder, _, _) = await LeaseOneAsync(TestSpecs.Noop(1, "held-by-a-silent-worker"));
        // Silence them in the database: recently lost = past the lease TTL; long gone = past ForgetLostAfter.
        var longAgo = (int)Queries.LabQueries.ForgetLostAfter.TotalSeconds + 60;
        await CountAsync($"WITH u AS (UPDATE workers SET last_heartbeat_at = now() - interval '120 seconds' WHERE id = '{recent.Id}' RETURNING 1) SELECT count(*) FROM u");
        await CountAsync($"WITH u AS (UPDATE workers SET last_heartbeat_at = now() - interval '{longAgo} seconds' WHERE id IN ('{old.Id}', '{holder.Id}') RETURNING 1) SELECT count(*) FROM u");

        var listed = (await _s.Admin.GetFromJsonAsync<JsonElement>("/api/workers")).EnumerateArray()
            .ToDictionary(x => x.GetProperty("id").GetString()!, x => x.GetProperty("state").GetString());
        Assert.Equal("Lost", listed[recent.Id]);
        Assert.False(listed.ContainsKey(old.Id), "a worker silent for longer than ForgetLostAfter that holds nothing is left out");
        Assert.Equal("Lost", listed[holder.Id]); // still holds its trial until the lease is reaped, so it stays visible
    }

    async Task<long> CountAsync(string sql)
    {
        await using var c = new NpgsqlConnection(_s.Database.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
