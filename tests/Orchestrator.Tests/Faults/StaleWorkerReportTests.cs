using System.Net;
using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Tests.Common;
using Npgsql;

namespace Dggrn.Orchestrator.Tests.Faults;

/// <summary>A partitioned worker: it stops heartbeating but keeps running and reports late, after its trial moved on.</summary>
public sealed class StaleWorkerReportTests : IAsyncLifetime
{
    OrchestratorServer _s = null!;

    public async Task InitializeAsync() => _s = await OrchestratorServer.StartAsync(new()
    {
        ["Orchestrator:LeaseTtlSeconds"] = "4",
        ["Orchestrator:HeartbeatSeconds"] = "1",
    });

    public async Task DisposeAsync() => await _s.DisposeAsync();

    static MetricBatch Losses(Guid lease, int attempt, long sequence, int from, int to) =>
        new(lease, attempt, sequence, [.. Enumerable.Range(from, to - from + 1).Select(i => new MetricPoint("train/loss", i, 1, 1.0 / i, DateTimeOffset.UtcNow))]);

    static CheckpointInfo Checkpoint(Guid exp, Guid trial, int attempt, int epoch) =>
        new(attempt, epoch, epoch * 10, $"experiments/{exp}/trials/{trial}/attempt-{attempt}/epoch-{epoch}.ckpt", new string('c', 64), 100, 20 + epoch);

    static EvalResult Result(double psnr) => new() { Method = "noop", Scale = 2, Overall = new AxisResult { Slices = 1, Psnr = psnr, Ssim = 0.5 } };

    [Fault("A partitioned worker: stops heartbeating but keeps running and reporting",
        "its lease lapses and the trial runs on another worker; its late started/metrics/checkpoint/artifact/log/complete/failed/release reports are refused with 409 and nothing of them is stored in PostgreSQL; its heartbeat names the lease lost")]
    [Fact]
    public async Task Late_reports_of_a_worker_whose_lease_lapsed_are_refused_and_not_stored()
    {
        var exp = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(1, "partition"));
        var stale = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"), slots: 1);
        var g1 = Assert.Single(await stale.LeaseAsync(1));
        (await stale.PostAsync(g1.TrialId, "started", new TrialStartedRequest(g1.LeaseId, null))).EnsureSuccessStatusCode();
        (await stale.PostAsync(g1.TrialId, "metrics", Losses(g1.LeaseId, 1, 1, 1, 5))).EnsureSuccessStatusCode();
        (await stale.PostAsync(g1.TrialId, "checkpoints", new CheckpointRecordRequest(g1.LeaseId, Checkpoint(exp.Id, g1.TrialId, 1, 1)))).EnsureSuccessStatusCode();

        // The partition: no more heartbeats. The lease lapses on the server's clock and the trial is requeued.
        await Polling.UntilAsync(async () => Assert.Single((await TestSpecs.DetailAsync(_s.Admin, exp.Id)).Trials).State,
            s => s == "Pending", TimeSpan.FromSeconds(15), "the partitioned worker's lease lapsing");
        var next = await WorkerClient.RegisterAsync(_s, await _s.TokenAsync("worker"), slots: 1);
        var g2 = Assert.Single(await next.LeaseAsync(1));
        Assert.Equal((g1.TrialId, 2), (g2.TrialId, g2.Attempt));
        Assert.Equal(1, g2.ResumeFrom?.Epoch);
        (await next.PostAsync(g2.TrialId, "started", new TrialStartedRequest(g2.LeaseId, 1))).EnsureSuccessStatusCode();

        // Every late report of the stale worker is refused, whatever it says.
        var late = new (string What, object Body)[]
        {
            ("started", new TrialStartedRequest(g1.LeaseId, null)),
            ("metrics", Losses(g1.LeaseId, 1, 2, 6, 10)),
            ("metrics", Losses(g1.LeaseId, 1, 3, 1, 3)),
            ("checkpoints", new CheckpointRecordRequest(g1.LeaseId, Checkpoint(exp.Id, g1.TrialId, 1, 2))),
            ("artifacts", new ArtifactRecordRequest(g1.LeaseId, 2, "sr", 0, 1, $"experiments/{exp.Id}/trials/{g1.TrialId}/images/epoch-2/sr-axis0-slice1.png")),
            ("log", new TrialLogRequest(g1.LeaseId, ["stale line"])),
            ("complete", new TrialCompletedRequest(g1.LeaseId, 2, Result(99), 1, 1)),
            ("failed", new TrialFailedRequest(g1.LeaseId, "stale failure", false)),
            ("release", new TrialReleaseRequest(g1.LeaseId, "stale release")),
        };
        foreach (var (what, body) in late)
        {
            using var content = JsonContent.Create(body, body.GetType(), options: OrchestratorServer.Json);
            var r = await stale.Http.PostAsync($"/api/trials/{g1.TrialId}/{what}", content);
            Assert.True(r.StatusCode == HttpStatusCode.Conflict, $"late {what}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            Assert.Contains($"lease {g1.LeaseId}", await r.Content.ReadAsStringAsync());
        }
        var hb = await stale.HeartbeatAsync(new TrialProgress(g1.TrialId, g1.LeaseId, 2, 20));
        Assert.Equal([g1.TrialId], hb.Lost);

        // Nothing of the late reports reached PostgreSQL; the new holder's trial is untouched.
        await using var c = new NpgsqlConnection(_s.Database.ConnectionString);
        await c.OpenAsync();
        Assert.Equal([1L, 2, 3, 4, 5], await LongsAsync(c, "SELECT step FROM metrics WHERE trial_id = @t ORDER BY step", g1.TrialId));
        Assert.Equal([1L], await LongsAsync(c, "SELECT sequence FROM metric_batches WHERE trial_id = @t", g1.TrialId));
        Assert.Equal([1L], await LongsAsync(c, "SELECT epoch::bigint FROM checkpoints WHERE trial_id = @t", g1.TrialId));
        Assert.Empty(await LongsAsync(c, "SELECT epoch::bigint FROM artifacts WHERE trial_id = @t", g1.TrialId));
        Assert.Empty(await LongsAsync(c, "SELECT count(*) FROM trial_logs WHERE trial_id = @t HAVING count(*) > 0", g1.TrialId));
        Assert.Empty(await LongsAsync(c, "SELECT epoch::bigint FROM evaluations WHERE trial_id = @t", g1.TrialId));
        var t = Assert.Single((await TestSpecs.DetailAsync(_s.Admin, exp.Id)).Trials);
        Assert.Equal(("Running", next.Id, 2), (t.State, t.Worker, t.Attempts));

        // The new holder finishes the trial.
        (await next.PostAsync(g2.TrialId, "metrics", Losses(g2.LeaseId, 2, 1, 6, 10))).EnsureSuccessStatusCode();
        (await next.PostAsync(g2.TrialId, "complete", new TrialCompletedRequest(g2.LeaseId, 1, Result(30), 1, 1))).EnsureSuccessStatusCode();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), await LongsAsync(c, "SELECT step FROM metrics WHERE trial_id = @t ORDER BY step", g1.TrialId));
        Assert.Equal("Succeeded", (await TestSpecs.DetailAsync(_s.Admin, exp.Id)).State);
    }

    static async Task<List<long>> LongsAsync(NpgsqlConnection c, string sql, Guid trial)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        cmd.Parameters.AddWithValue("t", trial);
        var list = new List<long>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.GetInt64(0));
        return list;
    }
}
