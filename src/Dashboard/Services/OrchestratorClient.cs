using System.Net.Http.Headers;
using System.Security.Claims;
using System.Net.Http.Json;
using System.Text.Json;
using Dggrn.Contracts.Api;
using Microsoft.Extensions.Options;

namespace Dggrn.Dashboard.Services;

/// <summary>Outcome of a submit: the new experiment, or every spec error at once.</summary>
public sealed record SubmitOutcome(SubmitResponse? Created, SpecErrorsResponse? Errors, string? Failure);

/// <summary>The orchestrator HTTP API as the dashboard uses it (service token from <see cref="DashboardOptions.Token"/>).</summary>
public sealed class OrchestratorClient
{
    static readonly JsonSerializerOptions Json = WireJson.Options;
    readonly HttpClient _http;

    /// <summary>Creates a client bound to the configured orchestrator URL and token.</summary>
    public OrchestratorClient(HttpClient http, IOptions<DashboardOptions> options)
    {
        _http = http;
        _http.BaseAddress = new Uri(options.Value.OrchestratorUrl.TrimEnd('/') + "/");
        if (!string.IsNullOrEmpty(options.Value.Token))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.Token);
    }

    /// <summary>Makes the following requests act for <paramref name="user"/> (sent as <see cref="OnBehalfOf"/> headers): the
    /// orchestrator then applies that user's role and ownership, and records them as the owner of what they submit, instead
    /// of the service token's all-powerful admin rights.</summary>
    public void ActFor(ClaimsPrincipal user)
    {
        _http.DefaultRequestHeaders.Remove(OnBehalfOf.UserHeader);
        _http.DefaultRequestHeaders.Remove(OnBehalfOf.RoleHeader);
        if (user.Identity is not { IsAuthenticated: true, Name: { Length: > 0 } name }) return;
        _http.DefaultRequestHeaders.Add(OnBehalfOf.UserHeader, Uri.EscapeDataString(name));
        _http.DefaultRequestHeaders.Add(OnBehalfOf.RoleHeader, user.FindFirst(ClaimTypes.Role)?.Value ?? "viewer");
    }

    /// <summary>A paper table with measured values (format=json).</summary>
    public async Task<ReportTable> ReportAsync(Guid experimentId, int table, CancellationToken ct = default)
    {
        using var r = await _http.GetAsync($"api/experiments/{experimentId}/report?table={table}&format=json", ct);
        await EnsureAsync(r, $"report table {table}", ct);
        return await r.Content.ReadFromJsonAsync<ReportTable>(Json, ct)
               ?? throw new InvalidOperationException($"orchestrator returned an empty body for report table {table}");
    }

    /// <summary>A paper table as text in md, csv or latex.</summary>
    public async Task<string> ReportTextAsync(Guid experimentId, int table, string format, CancellationToken ct = default)
    {
        using var r = await _http.GetAsync($"api/experiments/{experimentId}/report?table={table}&format={Uri.EscapeDataString(format)}", ct);
        await EnsureAsync(r, $"report table {table} as {format}", ct);
        return await r.Content.ReadAsStringAsync(ct);
    }

    /// <summary>The reproduction scorecard under the given tolerances (dB for PSNR, absolute for SSIM).</summary>
    public async Task<Scorecard> ScorecardAsync(Guid experimentId, double toleranceDb, double toleranceSsim, CancellationToken ct = default)
    {
        using var r = await _http.GetAsync($"api/experiments/{experimentId}/scorecard?format=json&{Tolerances(toleranceDb, toleranceSsim)}", ct);
        await EnsureAsync(r, "the scorecard", ct);
        return await r.Content.ReadFromJsonAsync<Scorecard>(Json, ct)
               ?? throw new InvalidOperationException("orchestrator returned an empty body for the scorecard");
    }

    /// <summary>The frozen, self-contained HTML report (every table, the scorecard, the curves, every trial).</summary>
    public async Task<string> ReportHtmlAsync(Guid experimentId, double toleranceDb, double toleranceSsim, CancellationToken ct = default)
    {
        using var r = await _http.GetAsync($"api/experiments/{experimentId}/report?format=html&{Tolerances(toleranceDb, toleranceSsim)}", ct);
        await EnsureAsync(r, "the HTML report", ct);
        return await r.Content.ReadAsStringAsync(ct);
    }

    static string Tolerances(double db, double ssim) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"toleranceDb={db:R}&toleranceSsim={ssim:R}");

    /// <summary>Submits a spec or a preset.</summary>
    public Task<SubmitOutcome> SubmitAsync(SubmitRequest request, CancellationToken ct = default) => PostSpecAsync("api/experiments", request, ct);

    /// <summary>Validates a spec without submitting it (Created is null on success).</summary>
    public Task<SubmitOutcome> ValidateAsync(SubmitRequest request, CancellationToken ct = default) => PostSpecAsync("api/specs/validate", request, ct);

    async Task<SubmitOutcome> PostSpecAsync(string path, SubmitRequest request, CancellationToken ct)
    {
        using var r = await _http.PostAsJsonAsync(path, request, Json, ct);
        if (r.IsSuccessStatusCode)
            return new SubmitOutcome(r.StatusCode == System.Net.HttpStatusCode.Created
                ? await r.Content.ReadFromJsonAsync<SubmitResponse>(Json, ct) : null, null, null);
        if ((int)r.StatusCode == 400)
        {
            var body = await r.Content.ReadAsStringAsync(ct);
            try
            {
                var errors = JsonSerializer.Deserialize<SpecErrorsResponse>(body, Json);
                if (errors?.Errors is { Length: > 0 }) return new SubmitOutcome(null, errors, null);
            }
            catch (JsonException) { }
            return new SubmitOutcome(null, null, $"orchestrator refused the spec: {body}");
        }
        return new SubmitOutcome(null, null, $"orchestrator answered {(int)r.StatusCode} {r.ReasonPhrase} to {path}");
    }

    /// <summary>POST /api/{experiments|trials}/{id}/{cancel|pause|resume}.</summary>
    public async Task ControlAsync(string kind, Guid id, string action, CancellationToken ct = default)
    {
        if (kind is not ("experiments" or "trials") || action is not ("cancel" or "pause" or "resume"))
            throw new ArgumentException($"unsupported control {kind}/{action}");
        using var r = await _http.PostAsync($"api/{kind}/{id}/{action}", null, ct);
        await EnsureAsync(r, $"{action} of {kind[..^1]} {id}", ct);
    }

    /// <summary>Creates a token (admin service token required).</summary>
    public async Task<CreateTokenResponse> CreateTokenAsync(CreateTokenRequest request, CancellationToken ct = default)
    {
        using var r = await _http.PostAsJsonAsync("api/tokens", request, Json, ct);
        await EnsureAsync(r, "token creation", ct);
        return await r.Content.ReadFromJsonAsync<CreateTokenResponse>(Json, ct)
               ?? throw new InvalidOperationException("orchestrator returned an empty body for token creation");
    }

    static async Task EnsureAsync(HttpResponseMessage r, string what, CancellationToken ct)
    {
        if (r.IsSuccessStatusCode) return;
        var body = await r.Content.ReadAsStringAsync(ct);
        throw new InvalidOperationException(
            $"orchestrator {r.RequestMessage?.RequestUri} refused {what}: {(int)r.StatusCode} {r.ReasonPhrase} {body}".Trim());
    }
}
