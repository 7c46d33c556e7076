using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Npgsql;

namespace Dggrn.Orchestrator.Tests;

/// <summary>POST /api/workers/{id}/reports against a real silo and PostgreSQL: same meaning and checks as one report per request.</summary>
public sealed class ReportBatchTests : IAsyncLifetime
{
    OrchestratorServer _s = null!;

    public async Task InitializeAsync() => _s = await OrchestratorServer.StartAsync();
    public async Task DisposeAsync() => await _s.DisposeAsync();

    static EvalResult Result(double psnr) => new()
    {
        Method = "noop", Scale = 2,
        Overall = new AxisResult { Slices = 2, Psnr = psnr, Ssim = 0.5, PerSlicePsnr = [psnr - 1, psnr + 1], PerSliceSsim = [0.5, 0.5] },
        Axes = new() { ["2"] = new AxisResult { Slices = 2, Psnr = psnr, Ssim = 0.5 } },
    };

    static readonly TrialEnvironment Environment = new("batch-host", "w", "cpu", 1, ".NET", "Linux", "test", null);

    static async Task<(HttpStatusCode Status, ReportOutcome[] Outcomes, string Body)> PostAsync(HttpClient http, string worker, params WorkerReport[] reports)
    {
        var r = await http.PostAsJsonAsync($"/api/workers/{worker}/reports", new WorkerReportBatch(reports));
        var body = await r.Content.ReadAsStringAsync();
        var outcomes = r.IsSuccessStatusCode ? JsonSerializer.Deserialize<WorkerReportBatchResponse>(body, OrchestratorServer.Json)!.Outcomes : [];
        return (r.StatusCode, outcomes, body);
    }

    [Fact]
    public async Task A_batch_carries_whole_lives_and_a_retried_batch_changes_nothing()
    {
        var (exp, w, grants) = await WorkerClient.SubmitAndLeaseAsync(_s, 3, "batch", lease: 3);
        var at = DateTimeOffset.UtcNow;
        // Deliberately out of phase order: the server applies started, then metrics, then complete.
        WorkerReport[] reports =
        [
            .. grants.Select((g, n) => new WorkerReport(g.TrialId, Complete: new TrialCompletedRequest(g.LeaseId, 1, Result(30 + n), 10, 0.5))),
            .. grants.Select((g, n) => new WorkerReport(g.TrialId, Metrics: new MetricBatch(g.LeaseId, 1, 0,
                [new("train/loss", 5, 1, 0.5 + n, at), new("test/psnr", 5, 1, 40 + n, at)]))),
            .. grants.Select(g => new WorkerReport(g.TrialId, Started: new TrialStartedRequest(g.LeaseId, null, Environment))),
        ];

        var first = await PostAsync(w.Http, w.Id, reports);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(reports.Select(r => (r.TrialId, r.Kind, 200)), first.Outcomes.Select(o => (o.TrialId, (string?)o.Kind, o.Status)));
        var retry = await PostAsync(w.Http, w.Id, reports);
        Assert.All(retry.Outcomes, o => Assert.Equal(200, o.Status));

        var detail = await TestSpecs.DetailAsync(_s.Admin, exp.Id);
        Assert.Equal("Succeeded", detail.State);
        foreach (var (g, n) in grants.Select((g, n) => (g, n)))
        {
            Assert.Equal(["Pending", "Leased", "Running", "Succeeded"], await LeaseLifecycleTests.TransitionsAsync(_s.Database.ConnectionString, g.TrialId));
            var t = detail.Trials.Single(x => x.Id == g.TrialId);
            Assert.Equal(30.0 + n, t.Metrics["test/psnr"]);
            // best PSNR: the larger of the final evaluation and every reported test/psnr (40 + n, stored before complete applied)
            Assert.Equal(40.0 + n, t.BestPsnr);
        }
        // Start and completion of one lease in one batch are written as one, and still read as two steps: the start's reason
        // before the completion's, the start's time and environment kept.
        Assert.Equal("started,completed,started,completed,started,completed", await ScalarAsync(
            "SELECT string_agg(reason, ',' ORDER BY trial_id, at, id) FROM trial_transitions WHERE trial_id = ANY(@ids) AND to_state IN ('Running', 'Succeeded')",
            grants.OrderBy(g => g.TrialId).Select(g => g.TrialId).ToArray()));
        Assert.Equal(3L, await ScalarAsync("SELECT count(*) FROM trials WHERE id = ANY(@ids) AND started_at IS NOT NULL AND started_at <= finished_at",
            grants.Select(g => g.TrialId).ToArray()));
        Assert.Equal("batch-host", await ScalarAsync("SELECT min(environment_json->>'host') FROM trials WHERE id = ANY(@ids)", grants.Select(g => g.TrialId).ToArray()));
        Assert.Equal(6L, await ScalarAsync("SELECT count(*) FROM metrics WHERE trial_id = ANY(@ids)", grants.Select(g => g.TrialId).ToArray()));
        Assert.Equal(6L, await ScalarAsync("SELECT count(*) FROM evaluations WHERE trial_id = ANY(@ids)", grants.Select(g => g.TrialId).ToArray()));
    }

    [Fact]
    public async Task A_batch_that_completes_trials_can_lease_the_next_ones_in_the_same_request()
    {
        var (exp, w, first) = await WorkerClient.SubmitAndLeaseAsync(_s, 4, "batch-lease", lease: 2);
        var at = DateTimeOffset.UtcNow;
        var r = await w.Http.PostAsJsonAsync($"/api/workers/{w.Id}/reports", new WorkerReportBatch(
            [
                .. first.Select(g => new WorkerReport(g.TrialId, Started: new TrialStartedRequest(g.LeaseId, null))),
                .. first.Select(g => new WorkerReport(g.TrialId, Metrics: new MetricBatch(g.LeaseId, 1, 0, [new("train/loss", 1, 1, 0.5, at)]))),
                .. first.Select(g => new WorkerReport(g.TrialId, Complete: new TrialCompletedRequest(g.LeaseId, 1, Result(30), 1, 0.5))),
            ],
            new LeaseRequest(5, "cpu", 0)));
        r.EnsureSuccessStatusCode();
        var answer = (await r.Content.ReadFromJsonAsync<WorkerReportBatchResponse>(OrchestratorServer.Json))!;
        Assert.All(answer.Outcomes, o => Assert.Equal(200, o.Status));
        // The two other trials, live leases of this worker; the completed ones are not offered again.
        var next = Assert.IsType<LeaseGrant[]>(answer.Grants);
        Assert.Equal(2, next.Length);
        Assert.Empty(next.Select(g => g.TrialId).Intersect(first.Select(g => g.TrialId)));
        var detail = await TestSpecs.DetailAsync(_s.Admin, exp.Id);
        Assert.Equal(2, detail.Trials.Count(t => t.State == "Succeeded"));
        Assert.Equal(2, detail.Trials.Count(t => t.State == "Leased" && t.Worker == w.Id));
        // A leased trial of the answer accepts reports under its lease like any other.
        var started = await PostAsync(w.Http, w.Id, [.. next.Select(g => new WorkerReport(g.TrialId, Started: new TrialStartedRequest(g.LeaseId, null)))]);
        Assert.All(started.Outcomes, o => Assert.Equal(200, o.Status));
        // Without a lease request the answer carries no grants.
        var plain = await w.Http.PostAsJsonAsync($"/api/workers/{w.Id}/reports", new WorkerReportBatch([]));
        Assert.Null((await plain.Content.ReadFromJsonAsync<WorkerReportBatchResponse>(OrchestratorServer.Json))!.Grants);
    }

    [Fact]
    public async Task Each_report_keeps_its_own_outcome()
    {
        await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(2, "mixed"));
        var a = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        var b = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        var grants = await a.LeaseAsync(2);
        Assert.Equal(2, grants.Length);
        (await _s.Admin.PostAsync($"/api/trials/{grants[0].TrialId}/cancel", null)).EnsureSuccessStatusCode();

        var (status, outcomes, _) = await PostAsync(a.Http, a.Id,
            [.. grants.Select(g => new WorkerReport(g.TrialId, Complete: new TrialCompletedRequest(g.LeaseId, 1, Result(20), 1, 1)))]);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([409, 200], outcomes.Select(o => o.Status));
        Assert.Contains("Cancelled", outcomes[0].Error);

        // Worker b presents a's lease through its own address: refused for that report, nothing changes.
        var stolen = await PostAsync(b.Http, b.Id, new WorkerReport(grants[1].TrialId, Failed: new TrialFailedRequest(grants[1].LeaseId, "x", false)));
        Assert.Equal(403, Assert.Single(stolen.Outcomes).Status);
        Assert.Equal("Succeeded", (string)(await ScalarAsync("SELECT state FROM trials WHERE id = ANY(@ids)", [grants[1].TrialId]))!);
        // ... and may not speak for a at all.
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(b.Http, a.Id, new WorkerReport(grants[1].TrialId,
            Release: new TrialReleaseRequest(grants[1].LeaseId, "x")))).Status);
    }

    [Fact]
    public async Task Metrics_of_several_trials_are_stored_together_the_later_batch_wins_and_a_stale_lease_is_refused()
    {
        await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(2, "batched-metrics"));
        var w = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        var g = await w.LeaseAsync(2);
        Assert.Equal(2, g.Length);
        var at = DateTimeOffset.UtcNow;
        WorkerReport[] reports =
        [
            new(g[0].TrialId, Metrics: new MetricBatch(g[0].LeaseId, 1, 0, [new("train/loss", 1, 1, 1.0, at), new("train/loss", 2, 1, 2.0, at)])),
            new(g[0].TrialId, Metrics: new MetricBatch(g[0].LeaseId, 1, 1, [new("train/loss", 2, 1, 20.0, at)])),
            new(g[1].TrialId, Metrics: new MetricBatch(Guid.NewGuid(), 1, 0, [new("train/loss", 1, 1, 5.0, at)])), // not its live lease
        ];
        foreach (var attempt in new[] { "first", "retry" })
        {
            var (status, outcomes, _) = await PostAsync(w.Http, w.Id, reports);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal([200, 200, 409], outcomes.Select(o => o.Status));
            Assert.Equal([(1L, 1.0), (2L, 20.0)], await LossesAsync(g[0].TrialId));
            Assert.Empty(await LossesAsync(g[1].TrialId));
            Assert.Equal(2L, await ScalarAsync("SELECT count(*) FROM metric_batches WHERE trial_id = ANY(@ids)", [g[0].TrialId, g[1].TrialId]));
            Assert.Contains("not the live lease", outcomes[2].Error);
        }
    }

    [Fact]
    public async Task A_batch_that_fails_hands_its_new_leases_back_at_once_rather_than_at_their_ttl()
    {
        var (exp, w, first) = await WorkerClient.SubmitAndLeaseAsync(_s, 3, "batch-fails", lease: 1);
        // PostgreSQL itself refuses one metric name (a trigger this test adds): applying the batch's reports fails.
        await ExecuteAsync("""
            CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.name = 'boom' THEN RAISE EXCEPTION 'metric name boom refused by the test'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_boom BEFORE INSERT ON metrics FOR EACH ROW EXECUTE FUNCTION refuse_boom();
            """);
        var r = await w.Http.PostAsJsonAsync($"/api/workers/{w.Id}/reports", new WorkerReportBatch(
            [new WorkerReport(first[0].TrialId, Metrics: new MetricBatch(first[0].LeaseId, 1, 0, [new("boom", 1, 1, 1.0, DateTimeOffset.UtcNow)]))],
            new LeaseRequest(2, "cpu", 0)));
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);

        // The two trials the failed batch leased are queued again by the time its answer goes out, with the reason on
        // record, and the next request leases them (their TTL is 10 s; nothing here waits for it).
        var others = (await TestSpecs.DetailAsync(_s.Admin, exp.Id)).Trials.Where(t => t.Id != first[0].TrialId).Select(t => t.Id).ToArray();
        Assert.Equal(2L, await ScalarAsync("SELECT count(*) FROM trials WHERE id = ANY(@ids) AND state = 'Pending'", others));
        Assert.Equal(2L, await ScalarAsync(
            "SELECT count(*) FROM trial_transitions WHERE trial_id = ANY(@ids) AND reason LIKE 'released: the batch that granted it failed%'", others));
        var again = await w.LeaseAsync(2);
        Assert.Equal(others.Order(), again.Select(g => g.TrialId).Order());
    }

    async Task ExecuteAsync(string sql)
    {
        await using var c = new NpgsqlConnection(_s.Database.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
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

    [Fact]
    public async Task A_malformed_batch_is_refused_whole_with_the_place_named()
    {
        var w = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"));
        var id = Guid.NewGuid();
        var lease = Guid.NewGuid();
        var bad = await PostAsync(w.Http, w.Id,
            new WorkerReport(id, Started: new TrialStartedRequest(lease, null)),
            new WorkerReport(id, Started: new TrialStartedRequest(lease, null), Release: new TrialReleaseRequest(lease, "x")),
            new WorkerReport(id));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("reports[1]: expected exactly one of", bad.Body);
        Assert.Contains("reports[2]", bad.Body);
        Assert.DoesNotContain("reports[0]", bad.Body);

        var tooMany = await PostAsync(w.Http, w.Id, [.. Enumerable.Range(0, 1001).Select(_ => new WorkerReport(id, Started: new TrialStartedRequest(lease, null)))]);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        Assert.Contains("at most 1000 reports", tooMany.Body);

        var unknown = await PostAsync(w.Http, w.Id, new WorkerReport(id, Started: new TrialStartedRequest(lease, null)));
        Assert.Equal(404, Assert.Single(unknown.Outcomes).Status);
    }

    async Task<object?> ScalarAsync(string sql, Guid[] ids)
    {
        await using var c = new NpgsqlConnection(_s.Database.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        cmd.Parameters.AddWithValue("ids", ids);
        return await cmd.ExecuteScalarAsync();
    }
}
