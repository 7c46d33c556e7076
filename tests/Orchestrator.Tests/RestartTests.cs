using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Tests;

/// <summary>A restarted orchestrator rebuilds everything from PostgreSQL: queue, live leases, tokens, workers.</summary>
public sealed class RestartTests
{
    [Dggrn.Tests.Common.Fault("Restart the only orchestrator while a worker holds a lease",
        "live leases, the queue, tokens and workers survive; the worker's heartbeat renews its lease and its report completes the trial")]
    [Fact]
    public async Task A_restarted_orchestrator_carries_on_with_live_leases_and_the_queue()
    {
        var first = await OrchestratorServer.StartAsync();
        var db = first.Database;
        try
        {
            var exp = await TestSpecs.SubmitAsync(first.Admin, TestSpecs.Noop(3, "restart"));
            var token = await first.TokenAsync("worker");
            var w = await WorkerClient.RegisterAsync(first, token);
            var held = Assert.Single(await w.LeaseAsync(1));
            (await w.PostAsync(held.TrialId, "started", new TrialStartedRequest(held.LeaseId, null))).EnsureSuccessStatusCode();
            await first.StopKeepingDatabaseAsync();

            await using var second = await OrchestratorServer.StartAsync(reuse: db);
            // Same token, same worker id, same lease: the heartbeat renews it and the rest of the queue is still there.
            var again = new WorkerClient(second.Client(token), w.Id);
            var hb = await again.HeartbeatAsync(new TrialProgress(held.TrialId, held.LeaseId, 1, 10));
            Assert.Empty(hb.Lost);
            Assert.Empty(hb.Cancel);
            Assert.Equal(2, (await again.LeaseAsync(5)).Length);
            var done = new TrialCompletedRequest(held.LeaseId, 1, new EvalResult { Overall = new AxisResult { Psnr = 10 } }, 0, 1);
            (await again.PostAsync(held.TrialId, "complete", done)).EnsureSuccessStatusCode();
            var detail = await TestSpecs.DetailAsync(second.Admin, exp.Id);
            Assert.Equal(["Leased", "Leased", "Succeeded"], detail.Trials.Select(t => t.State).Order());
            Assert.Equal("Running", detail.State);
        }
        finally
        {
            await db.DisposeAsync();
        }
    }
}
