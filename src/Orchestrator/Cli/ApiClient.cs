using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Cli;

/// <summary>Thin HTTP client of the orchestrator API; every failure becomes a one-line <see cref="CliException"/>.</summary>
public sealed class ApiClient : IDisposable
{
    readonly HttpClient _http;

    /// <summary>Creates a client for one endpoint.</summary>
    public ApiClient(ApiEndpoint endpoint, TimeSpan? timeout = null)
    {
        Endpoint = endpoint;
        _http = new HttpClient { BaseAddress = endpoint.Url, Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Token);
    }

    /// <summary>The endpoint this client talks to.</summary>
    public ApiEndpoint Endpoint { get; }

    /// <summary>GET returning the raw body (for --json pass-through and text reports).</summary>
    public Task<string> GetStringAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    /// <summary>GET returning a typed body.</summary>
    public async Task<T> GetAsync<T>(string path, CancellationToken ct) =>
        Deserialize<T>(await SendAsync(HttpMethod.Get, path, null, ct), path);

    /// <summary>POST a JSON body (or none) and return the typed answer.</summary>
    public async Task<T> PostAsync<T>(string path, object? body, CancellationToken ct) =>
        Deserialize<T>(await SendAsync(HttpMethod.Post, path, body, ct), path);

    /// <summary>POST a JSON body (or none), ignoring the answer's body.</summary>
    public Task PostAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    async Task<string> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: CliJson.Options);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(
                $"cannot reach the orchestrator at {Endpoint.Url} ({e.Message}); is `./dggrn up` running, or is DGGRN_URL right?", 1, e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"the orchestrator at {Endpoint.Url} did not answer {method} /{path.TrimStart('/')} in time", 1, e);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode) return text;
            throw Failure(method, path, response.StatusCode, text);
        }
    }

    static T Deserialize<T>(string text, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, CliJson.Options)
                   ?? throw new CliException($"the orchestrator answered /{path.TrimStart('/')} with an empty body");
        }
        catch (JsonException e)
        {
            throw new CliException($"the orchestrator's answer to /{path.TrimStart('/')} is not the expected JSON: {e.Message}", 1, e);
        }
    }

    static CliException Failure(HttpMethod method, string path, HttpStatusCode status, string body)
    {
        var where = $"{method} /{path.TrimStart('/')}";
        if (TrySpecErrors(body) is { } spec) return new CliException(spec, 1);
        var detail = ProblemText(body);
        return status switch
        {
            HttpStatusCode.Unauthorized => new CliException($"{where}: the token was refused (401); check DGGRN_TOKEN or the local credentials file"),
            HttpStatusCode.Forbidden => new CliException($"{where}: this token's role may not do that (403){Suffix(detail)}"),
            HttpStatusCode.NotFound => new CliException($"{where}: not found (404){Suffix(detail)}"),
            _ => new CliException($"{where}: {(int)status} {status}{Suffix(detail)}"),
        };
    }

    static string Suffix(string? detail) => string.IsNullOrWhiteSpace(detail) ? "" : $": {detail}";

    /// <summary>Formats a 400 <see cref="SpecErrorsResponse"/> as one line: "invalid spec: path: message; path: message".</summary>
    static string? TrySpecErrors(string body)
    {
        try
        {
            var r = JsonSerializer.Deserialize<SpecErrorsResponse>(body, CliJson.Options);
            if (r?.Errors is not { Length: > 0 }) return null;
            return $"{(string.IsNullOrWhiteSpace(r.Title) ? "invalid spec" : r.Title.TrimEnd('.'))}: " +
                   string.Join("; ", r.Errors.Select(e => $"{e.Path}: {e.Message}"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Pulls a human reason out of a problem-details or plain-text error body, on one line.</summary>
    static string? ProblemText(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
                foreach (var key in new[] { "detail", "error", "message", "title" })
                    if (doc.RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String)
                        return OneLine(v.GetString()!);
        }
        catch (JsonException)
        {
        }
        return OneLine(body);
    }

    static string OneLine(string s)
    {
        var line = s.ReplaceLineEndings(" ").Trim();
        return line.Length > 300 ? line[..300] + "..." : line;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
