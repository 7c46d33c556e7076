using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service;

/// <summary>The orchestrator's worker-facing HTTP API, one method per endpoint the worker uses: registration, heartbeats, the
/// report batches (which also lease), and the records that answer something (checkpoints, artifacts, resume points).</summary>
/// <remarks>Methods throw <see cref="OrchestratorException"/> for HTTP errors; use <see cref="IsTransient"/> to decide on retries.</remarks>
public sealed class OrchestratorClient : IDisposable
{
    /// <summary>camelCase JSON with enums by name, as the orchestrator speaks it.</summary>
    public static readonly JsonSerializerOptions Json = WireJson.Options;

    readonly HttpClient _http;

    /// <summary>Creates a client for <paramref name="baseUrl"/> authenticating with <paramref name="token"/>.</summary>
    public OrchestratorClient(string baseUrl, string token, TimeSpan? timeout = null)
    {
        if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var uri))
            throw new ArgumentException($"Worker:OrchestratorUrl: expected an absolute http(s) URL, found '{baseUrl}'");
        _http = new HttpClient { BaseAddress = uri, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>POST /api/workers/register.</summary>
    public Task<RegisterWorkerResponse> RegisterAsync(RegisterWorkerRequest r, CancellationToken ct) =>
        PostAsync<RegisterWorkerResponse>("api/workers/register", r, ct);

    /// <summary>POST /api/workers/{id}/heartbeat.</summary>
    public Task<HeartbeatResponse> HeartbeatAsync(string workerId, HeartbeatRequest r, CancellationToken ct) =>
        PostAsync<HeartbeatResponse>($"api/workers/{Uri.EscapeDataString(workerId)}/heartbeat", r, ct);

    /// <summary>POST /api/workers/{id}/reports: lifecycle reports of the worker's trials and, optionally, a lease request
    /// (<see cref="Reports.ReportOutbox"/> is the one caller).</summary>
    public Task<WorkerReportBatchResponse> ReportsAsync(string workerId, WorkerReportBatch batch, CancellationToken ct) =>
        PostAsync<WorkerReportBatchResponse>($"api/workers/{Uri.EscapeDataString(workerId)}/reports", batch, ct);

    /// <summary>POST /api/trials/{id}/checkpoints; returns what retention says to delete.</summary>
    public async Task<CheckpointRecordResponse> RecordCheckpointAsync(Guid trialId, CheckpointRecordRequest r, CancellationToken ct)
    {
        using var resp = await SendAsync(HttpMethod.Post, $"api/trials/{trialId}/checkpoints", r, ct);
        // An empty body means nothing to delete.
        var text = await resp.Content.ReadAsStringAsync(ct);
        return string.IsNullOrWhiteSpace(text) ? new CheckpointRecordResponse([]) : JsonSerializer.Deserialize<CheckpointRecordResponse>(text, Json) ?? new([]);
    }

    /// <summary>POST /api/trials/{id}/artifacts.</summary>
    public Task ArtifactAsync(Guid trialId, ArtifactRecordRequest r, CancellationToken ct) => PostAsync($"api/trials/{trialId}/artifacts", r, ct);

    /// <summary>GET /api/trials/{id}/checkpoints: every recorded checkpoint of the trial.</summary>
    public async Task<CheckpointInfo[]> CheckpointsAsync(Guid trialId, CancellationToken ct)
    {
        using var resp = await SendAsync(HttpMethod.Get, $"api/trials/{trialId}/checkpoints", null, ct);
        return await resp.Content.ReadFromJsonAsync<CheckpointInfo[]>(Json, ct) ?? [];
    }

    /// <summary>Worth retrying: the orchestrator (or its database) is unreachable, overloaded or restarting.</summary>
    public static bool IsTransient(Exception e) =>
        e is OrchestratorException { Status: >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests }
        || (e is not OrchestratorException && Dggrn.Checkpoints.StoreRetry.IsNetworkFailure(e))
        || e is TaskCanceledException { InnerException: TimeoutException };

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    async Task PostAsync(string path, object body, CancellationToken ct)
    {
        using var _ = await SendAsync(HttpMethod.Post, path, body, ct);
    }

    async Task<T> PostAsync<T>(string path, object body, CancellationToken ct)
    {
        using var resp = await SendAsync(HttpMethod.Post, path, body, ct);
        return await resp.Content.ReadFromJsonAsync<T>(Json, ct)
               ?? throw new OrchestratorException(resp.StatusCode, $"POST {path}: empty response body");
    }

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(method, path);
        if (body is not null) req.Content = JsonContent.Create(body, body.GetType(), options: Json);
        var resp = await _http.SendAsync(req, ct);
        if (resp.IsSuccessStatusCode) return resp;
        var text = await resp.Content.ReadAsStringAsync(ct);
        resp.Dispose();
        throw new OrchestratorException(resp.StatusCode, $"{method} {path}: {(int)resp.StatusCode} {resp.StatusCode}: {Truncate(text)}");
    }

    static string Truncate(string s) => s.Length > 300 ? s[..300] + "..." : s;
}

/// <summary>An HTTP error answer from the orchestrator.</summary>
public sealed class OrchestratorException(HttpStatusCode status, string message) : Exception(message)
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;
}
