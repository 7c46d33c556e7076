using System.Net.Http.Json;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Tests;

/// <summary>A test worker speaking the worker HTTP protocol.</summary>
public sealed class WorkerClient(HttpClient http, string id)
{
    public HttpClient Http { get; } = http;
    public string Id { get; } = id;

    public static async Task<WorkerClient> RegisterAsync(OrchestratorServer s, string token, string? name = null, int slots = 4, long memory = 8L << 30)
    {
        var http = s.Client(token);
        var r = await http.PostAsJsonAsync("/api/workers/register",
            new RegisterWorkerRequest("testhost", Environment.ProcessId, [new DeviceInfo("cpu", "cpu", memory, slots)], "test", name));
        r.EnsureSuccessStatusCode();
        var body = (await r.Content.ReadFromJsonAsync<RegisterWorkerResponse>(OrchestratorServer.Json))!;
        return new WorkerClient(http, body.WorkerId);
    }

    /// <summary>Submits <paramref name="trials"/> noop trials, registers a worker and leases <paramref name="lease"/> of them
    /// (asserting it got exactly that many): the start of most protocol tests.</summary>
    public static async Task<(SubmitResponse Experiment, WorkerClient Worker, LeaseGrant[] Grants)> SubmitAndLeaseAsync(OrchestratorServer s, int trials, string name, int lease)
    {
        var exp = await TestSpecs.SubmitAsync(s.Admin, TestSpecs.Noop(trials, name));
        var w = await RegisterAsync(s, await s.TokenAsync("worker"));
        var grants = await w.LeaseAsync(lease);
        Assert.Equal(lease, grants.Length);
        return (exp, w, grants);
    }

    public async Task<LeaseGrant[]> LeaseAsync(int max, long freeMemory = 0, string device = "cpu")
    {
        var r = await Http.PostAsJsonAsync($"/api/workers/{Id}/lease", new LeaseRequest(max, device, freeMemory));
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<LeaseGrant[]>(OrchestratorServer.Json))!;
    }

    public async Task<HeartbeatResponse> HeartbeatAsync(params TrialProgress[] trials)
    {
        var r = await Http.PostAsJsonAsync($"/api/workers/{Id}/heartbeat", new HeartbeatRequest(trials, 0));
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<HeartbeatResponse>(OrchestratorServer.Json))!;
    }

    public Task<HttpResponseMessage> PostAsync<T>(Guid trial, string what, T body) => Http.PostAsJsonAsync($"/api/trials/{trial}/{what}", body);
}
