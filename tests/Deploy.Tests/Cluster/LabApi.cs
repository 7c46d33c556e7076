using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dggrn.Deploy.Tests.Cluster;

/// <summary>The orchestrator's HTTP API as raw JSON (no product types: this is what a deployment's clients see).</summary>
public sealed class LabApi(string baseUrl, string token) : IDisposable
{
    readonly HttpClient _http = new() { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>GET, parsed; null when the request failed at the transport level or with 5xx (a silo going away).</summary>
    public async Task<JsonNode?> TryGetAsync(string path)
    {
        try
        {
            using var req = Request(HttpMethod.Get, path);
            using var res = await _http.SendAsync(req);
            if ((int)res.StatusCode >= 500) return null;
            res.EnsureSuccessStatusCode();
            return JsonNode.Parse(await res.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException) { return null; }
    }

    /// <summary>POST JSON; a non-success status throws with the body.</summary>
    public async Task<JsonNode> PostAsync(string path, object body)
    {
        using var req = Request(HttpMethod.Post, path);
        req.Content = JsonContent.Create(body, options: new JsonSerializerOptions(JsonSerializerDefaults.Web));
        using var res = await _http.SendAsync(req);
        var text = await res.Content.ReadAsStringAsync();
        if (!res.IsSuccessStatusCode) throw new HttpRequestException($"POST {path}: {(int)res.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    HttpRequestMessage Request(HttpMethod method, string path)
    {
        var req = new HttpRequestMessage(method, path.TrimStart('/'));
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return req;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
