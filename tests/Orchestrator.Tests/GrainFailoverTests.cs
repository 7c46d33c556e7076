using System.Collections.Concurrent;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Grid;
using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Grains.Abstractions;
using Npgsql;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Grains over a real two-silo cluster: every interface crosses the wire, and a silo dies mid-scheduling.</summary>
public sealed class GrainFailoverTests(LabTestCluster fixture) : IClassFixture<LabTestCluster>
{
    static ExpandedGrid Grid(string name, int n)
    {
        var (spec, _) = GridSpecParser.Parse(TestSpecs.Noop(n, name));
        var ds = new DatasetRef { Name = "Phantom", Train = ["phantom:seed=1"], Test = ["phantom:seed=2"], ContentHash = Guid.NewGuid().ToString("N") };
        return GridExpander.Expand(spec!, "", new Dictionary<string, DatasetRef> { ["Phantom"] = ds }, "test");
    }

    [Dggrn.Tests.Common.Fault("Kill the silo holding the scheduler grain mid-scheduling (multi-silo)",
        "scheduling continues on the survivor; no trial ever has two live leases")]
    [Fact]
    public async Task Scheduling_continues_after_the_silo_holding_the_scheduler_is_killed_and_no_trial_has_two_live_leases()
    {
        var client = fixture.Cluster.Client;
        var id = Guid.NewGuid();
        var created = await client.GetGrain<IExperimentGrain>(id).CreateAsync(Grid("kill", 60), "test", false);
        Assert.Equal(60, created.Trials);
        var worker = client.GetGrain<IWorkerGrain>("w-kill");
        await worker.RegisterAsync(new RegisterWorkerRequest("h", 1, [new DeviceInfo("cpu", "cpu", 1L << 33, 64)], "t"), Guid.NewGuid());

        var scheduler = client.GetGrain<ISchedulerGrain>(0);
        var holder = await scheduler.GetSiloAsync();
        var victim = fixture.Cluster.Silos.Single(s => s.SiloAddress.ToString() == holder);
        var grants = new ConcurrentBag<LeaseGrant>();
        var killed = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (grants.Select(g => g.TrialId).Distinct().Count() < 60 && DateTime.UtcNow < deadline)
            {
                if (grants.Count >= 10 && Interlocked.Exchange(ref killed, 1) == 0)
                    await fixture.Cluster.KillSiloAsync(victim);
                try
                {
                    foreach (var g in await scheduler.LeaseAsync("w-kill", new LeaseRequest(2, "cpu", 0))) grants.Add(g);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Calls in flight to the dying silo fail; a lease granted there but never delivered lapses and is re-granted.
                }
            }
        }));
        Assert.Equal(1, killed);
        Assert.Equal(60, grants.Select(g => g.TrialId).Distinct().Count());
        Assert.NotEqual(holder, await scheduler.GetSiloAsync());

        // Never two live leases: a trial is leased again only after its earlier lease expired.
        await using var c = new NpgsqlConnection(fixture.Database.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT x.trial_id, count(*) FILTER (WHERE x.to_state = 'Leased'), count(*) FILTER (WHERE x.reason = 'lease expired')
            FROM trial_transitions x JOIN trials t ON t.id = x.trial_id WHERE t.experiment_id = @e GROUP BY x.trial_id
            """, c);
        cmd.Parameters.AddWithValue("e", id);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = 0;
        while (await r.ReadAsync())
        {
            rows++;
            Assert.True(r.GetInt64(1) <= 1 + r.GetInt64(2), $"trial {r.GetGuid(0)} leased {r.GetInt64(1)} times with {r.GetInt64(2)} expiries");
        }
        Assert.Equal(60, rows);
    }

    [Fact]
    public async Task Trial_and_worker_grains_round_trip_contract_types()
    {
        var client = fixture.Cluster.Client;
        var id = Guid.NewGuid();
        await client.GetGrain<IExperimentGrain>(id).CreateAsync(Grid("roundtrip", 1), "test", false);
        Assert.Equal("Pending", await client.GetGrain<IExperimentGrain>(id).GetStateAsync());
        var worker = client.GetGrain<IWorkerGrain>("w-rt");
        var reg = await worker.RegisterAsync(new RegisterWorkerRequest("h", 2, [new DeviceInfo("cpu", "cpu", 1L << 33, 1)], "t"), Guid.NewGuid());
        Assert.Equal("w-rt", reg.WorkerId);
        LeaseGrant g;
        do g = (await client.GetGrain<ISchedulerGrain>(0).LeaseAsync("w-rt", new LeaseRequest(1, "cpu", 0))).Single();
        while (g.ExperimentId != id);
        var trial = client.GetGrain<ITrialGrain>(g.TrialId);
        Assert.True((await trial.StartedAsync(new TrialStartedRequest(g.LeaseId, null))).IsOk);
        var hb = await worker.HeartbeatAsync(new HeartbeatRequest([new TrialProgress(g.TrialId, g.LeaseId, 1, 5)], 0));
        Assert.Empty(hb.Lost);
        var result = new EvalResult { Method = "noop", Overall = new AxisResult { Psnr = 20, Ssim = 0.5, PerSlicePsnr = [20] } };
        Assert.True((await trial.CompleteAsync(new TrialCompletedRequest(g.LeaseId, 1, result, 0, 0.1))).IsOk);
        var stale = await trial.FailedAsync(new TrialFailedRequest(Guid.NewGuid(), "x", true));
        Assert.Equal(409, stale.Status);
        Assert.Equal("Succeeded", await client.GetGrain<IExperimentGrain>(id).GetStateAsync());
    }
}
