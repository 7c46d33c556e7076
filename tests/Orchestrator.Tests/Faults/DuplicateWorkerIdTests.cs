using System.Net;
using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Dggrn.Tests.Common;

namespace Dggrn.Orchestrator.Tests.Faults;

/// <summary>Two worker processes started with the same id (Worker:Name): the rule of Scheduling/WorkerIdRule.cs over HTTP.</summary>
public sealed class DuplicateWorkerIdTests : IAsyncLifetime
{
    const int LeaseTtl = 5;
    OrchestratorServer _s = null!;

    public async Task InitializeAsync() => _s = await OrchestratorServer.StartAsync(new()
    {
        ["Orchestrator:LeaseTtlSeconds"] = LeaseTtl.ToString(),
        ["Orchestrator:HeartbeatSeconds"] = "1",
    });

    public async Task DisposeAsync() => await _s.DisposeAsync();

    static RegisterWorkerRequest Process(string host, int pid) => new(host, pid, [new DeviceInfo("cpu", "cpu", 8L << 30, 1)], "test", "gpu-box-1");

    [Fault("Two workers started with the same id",
        "the second registration is refused (409, naming the live holder) while the first heartbeats; the first keeps its id and lease; once it is silent for a lease TTL the id may be taken over")]
    [Fact]
    public async Task A_second_process_with_a_live_workers_id_is_refused_and_may_take_it_over_once_the_first_is_silent()
    {
        var token = await _s.TokenAsync("worker");
        using var http = _s.Client(token);
        await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(1, "dup-id"));

        var first = await http.PostAsJsonAsync("/api/workers/register", Process("host-a", 100));
        first.EnsureSuccessStatusCode();
        var w = new WorkerClient(http, (await first.Content.ReadFromJsonAsync<RegisterWorkerResponse>(OrchestratorServer.Json))!.WorkerId);
        Assert.Equal("gpu-box-1", w.Id);
        var grant = Assert.Single(await w.LeaseAsync(1));

        // The same process registering again (a retried call) is accepted; another process is not.
        (await http.PostAsJsonAsync("/api/workers/register", Process("host-a", 100))).EnsureSuccessStatusCode();
        foreach (var other in new[] { Process("host-a", 101), Process("host-b", 100) })
        {
            await w.HeartbeatAsync(new TrialProgress(grant.TrialId, grant.LeaseId, 0, 0)); // alive, however slow this machine is
            var refused = await http.PostAsJsonAsync("/api/workers/register", other);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var why = await refused.Content.ReadAsStringAsync();
            Assert.Contains("'gpu-box-1' is in use by a live worker (host host-a, pid 100", why);
            Assert.Contains("Worker:Name", why);
        }
        // The first still owns the row and its lease.
        var hb = await w.HeartbeatAsync(new TrialProgress(grant.TrialId, grant.LeaseId, 0, 0));
        Assert.Empty(hb.Lost);
        var listed = Assert.Single((await _s.Admin.GetFromJsonAsync<WorkerSummary[]>("/api/workers", OrchestratorServer.Json))!, x => x.Id == w.Id);
        Assert.Equal(100, listed.Pid);

        // The first stops heartbeating: after a lease TTL its lease has lapsed and the id may be taken over.
        var taken = await Polling.UntilAsync(async () => (await http.PostAsJsonAsync("/api/workers/register", Process("host-b", 200))).StatusCode,
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(LeaseTtl + 10), "takeover of a silent worker's id");
        Assert.Equal(HttpStatusCode.OK, taken);
        await Polling.UntilAsync(async () => Assert.Single((await TestSpecs.DetailAsync(_s.Admin, grant.ExperimentId)).Trials).State,
            s => s == "Pending", TimeSpan.FromSeconds(5), "the silent holder's lease lapsing");
        // The old holder's lease is fenced: its reports are refused.
        var late = await w.PostAsync(grant.TrialId, "started", new TrialStartedRequest(grant.LeaseId, null));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
    }
}
