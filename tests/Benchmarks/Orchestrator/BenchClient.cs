using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dggrn.Contracts.Api;

namespace Dggrn.Benchmarks.Orchestrator;

/// <summary>A minimal worker/user client for the benchmark: the real HTTP paths, nothing simulated server-side.</summary>
internal sealed class BenchClient(Uri baseAddress, string token) : IDisposable
{
    static readonly JsonSerializerOptions Json = WireJson.Options;
    readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
    {
        BaseAddress = baseAddress,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        Timeout = TimeSpan.FromSeconds(60),
    };

    public async Task<T> PostAsync<T>(string path, object body)
    {
        using var r = await _http.PostAsJsonAsync(path, body, Json);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return (await r.Content.ReadFromJsonAsync<T>(Json))!;
    }

    public async Task PostAsync(string path, object body)
    {
        using var r = await _http.PostAsJsonAsync(path, body, Json);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    public async Task<string> RegisterAsync(int slots) => (await RegisterWorkerAsync(slots)).WorkerId;

    public Task<RegisterWorkerResponse> RegisterWorkerAsync(int slots) => PostAsync<RegisterWorkerResponse>("/api/workers/register",
        new RegisterWorkerRequest("bench", Environment.ProcessId, [new DeviceInfo("cpu", "cpu", 64L << 30, slots)], "bench"));

    public Task<LeaseGrant[]> LeaseAsync(string worker, int n) => PostAsync<LeaseGrant[]>($"/api/workers/{worker}/lease", new LeaseRequest(n, "cpu", 0));

    public void Dispose() => _http.Dispose();
}
