using System.Diagnostics;
using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Dggrn.Tests.Common;
using Npgsql;

namespace Dggrn.Orchestrator.Tests.Faults;

/// <summary>Workers whose clocks are 5 minutes fast or slow: leases run on the server's clock only.</summary>
/// <remarks>The only time a worker sends is each metric point's timestamp (MetricPoint.At), so that is where the skew is
/// injected; heartbeats carry no time, and the worker never compares the server's ExpiresAt with its own clock.</remarks>
public sealed class ClockSkewTests : IAsyncLifetime
{
    // Sized so that a 2-core CI machine running the other test classes in parallel cannot stall the heartbeat loop past a TTL
    // (at 4 s one run lost a lease there; the message now names the longest gap between renewals).
    const int LeaseTtl = 6;
    OrchestratorServer _s = null!;

    public async Task InitializeAsync() => _s = await OrchestratorServer.StartAsync(new()
    {
        ["Orchestrator:LeaseTtlSeconds"] = LeaseTtl.ToString(),
        ["Orchestrator:HeartbeatSeconds"] = "1",
    });

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fault("A worker whose clock is 5 minutes off (fast or slow)",
        "leases are granted, renewed and expired on the server's clock: a skewed worker that heartbeats keeps its lease for two TTLs, and one that stops loses it one TTL later, not 5 minutes early or late; its metrics are stored")]
    [Fact]
    public async Task Workers_five_minutes_fast_or_slow_keep_leases_while_heartbeating_and_lose_them_one_ttl_after_stopping()
    {
        var exp = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(2, "skew"));
        var token = await _s.TokenAsync("worker");
        var workers = new[] { (Skew: TimeSpan.FromMinutes(5), W: await WorkerClient.RegisterAsync(_s, token, "fast", slots: 1)),
                              (Skew: TimeSpan.FromMinutes(-5), W: await WorkerClient.RegisterAsync(_s, token, "slow", slots: 1)) };
        var grants = new List<LeaseGrant>();
        foreach (var (_, w) in workers) grants.Add(Assert.Single(await w.LeaseAsync(1)));
        foreach (var g in grants)
        {
            // Grants carry the server's deadline: now + TTL on its clock.
            var fromNow = g.ExpiresAt - DateTimeOffset.UtcNow;
            Assert.InRange(fromNow.TotalSeconds, 0, LeaseTtl + 1);
        }

        // Heartbeat and report with skewed timestamps for two lease TTLs: no lease is lost.
        var clock = Stopwatch.StartNew();
        var sinceFirstRenewal = new Stopwatch();
        var longestGap = TimeSpan.Zero;
        var lastExpiry = new DateTimeOffset[workers.Length];
        long sequence = 0, step = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(2 * LeaseTtl))
        {
            sequence++;
            step++;
            for (var i = 0; i < workers.Length; i++)
            {
                var (skew, w) = workers[i];
                var g = grants[i];
                var hb = await w.HeartbeatAsync(new TrialProgress(g.TrialId, g.LeaseId, 0, step));
                lastExpiry[i] = hb.LeaseExpiresAt;
                if (i == 0)
                {
                    if (sequence > 1 && sinceFirstRenewal.Elapsed > longestGap) longestGap = sinceFirstRenewal.Elapsed;
                    sinceFirstRenewal.Restart();
                }
                Assert.True(hb.Lost.Length == 0, $"worker {w.Id} (clock {skew.TotalMinutes:+0;-0} min) lost its lease after {clock.Elapsed.TotalSeconds:0.0} s " +
                                                 $"(longest gap between this loop's renewals {longestGap.TotalSeconds:0.0} s, TTL {LeaseTtl} s)");
                var batch = new MetricBatch(g.LeaseId, 1, sequence, [new MetricPoint("train/loss", step, 1, 1.0 / step, DateTimeOffset.UtcNow + skew)]);
                (await w.PostAsync(g.TrialId, "metrics", batch)).EnsureSuccessStatusCode();
            }
            await Task.Delay(TimeSpan.FromSeconds(1)); // the heartbeat interval of a real worker, not synchronisation
        }
        Assert.All((await TestSpecs.DetailAsync(_s.Admin, exp.Id)).Trials, t => Assert.Equal("Leased", t.State));

        // Both stop heartbeating: each lease lapses one TTL after its last renewal, on the server's clock. The lapse is timed
        // from the server's own records (the deadline its last renewal answered, the time of the Leased -> Pending transition),
        // so a test process starved of CPU on a loaded machine cannot stretch it.
        await Polling.UntilAsync(async () => (await TestSpecs.DetailAsync(_s.Admin, exp.Id)).Trials.All(t => t.State == "Pending"),
            done => done, TimeSpan.FromSeconds(LeaseTtl + 10), "both skewed workers' leases lapsing");
        await using var c = new NpgsqlConnection(_s.Database.ConnectionString);
        await c.OpenAsync();
        for (var i = 0; i < grants.Count; i++)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT at FROM trial_transitions WHERE trial_id = @t AND to_state = 'Pending' AND from_state = 'Leased' ORDER BY at DESC LIMIT 1", c);
            cmd.Parameters.AddWithValue("t", grants[i].TrialId);
            var lapsedAt = (DateTime)(await cmd.ExecuteScalarAsync())!;
            var late = new DateTimeOffset(lapsedAt, TimeSpan.Zero) - lastExpiry[i];
            // Not before the deadline (tolerance: the answer's deadline is taken just after PostgreSQL's now()); at most the
            // product's recovery promise (lease TTL + 2 s) after it.
            Assert.InRange(late.TotalSeconds, -0.5, 2.0);
        }

        // Every skewed point was stored once, as sent.
        foreach (var g in grants)
        {
            await using var cmd = new NpgsqlCommand("SELECT count(*), count(DISTINCT step) FROM metrics WHERE trial_id = @t", c);
            cmd.Parameters.AddWithValue("t", g.TrialId);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal((step, step), (r.GetInt64(0), r.GetInt64(1)));
        }
    }
}
