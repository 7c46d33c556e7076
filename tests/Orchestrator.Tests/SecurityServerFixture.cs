using System.Net.Http.Json;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Tests;

/// <summary>One real orchestrator shared by the tests of a security class (each test makes its own tokens and experiments).</summary>
public sealed class SecurityServerFixture : IAsyncLifetime
{
    /// <summary>Body limit configured for these servers: small, so that oversized-body tests stay fast.</summary>
    public const long MaxRequestBytes = 64 * 1024;

    public OrchestratorServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await OrchestratorServer.StartAsync(new() { ["HttpApi:MaxRequestBytes"] = MaxRequestBytes.ToString() });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A token of <paramref name="role"/> named <paramref name="name"/>, as a client.</summary>
    public async Task<HttpClient> ClientAsync(string role, string? name = null) => Server.Client(await Server.TokenAsync(role, name));

    /// <summary>Submits <paramref name="trials"/> noop trials as <paramref name="c"/>; returns the experiment and its trial ids.</summary>
    public static async Task<(Guid Experiment, Guid[] Trials)> SubmitAsync(HttpClient c, int trials = 2)
    {
        var exp = await TestSpecs.SubmitAsync(c, TestSpecs.Noop(trials, "sec-" + Guid.NewGuid().ToString("N")[..8]), rerun: true);
        var detail = await TestSpecs.DetailAsync(c, exp.Id);
        return (exp.Id, [.. detail.Trials.Select(t => t.Id)]);
    }

    /// <summary>The problem detail of a refused response ("" when the body is not a problem).</summary>
    public static async Task<string> DetailAsync(HttpResponseMessage r)
    {
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var p = await r.Content.ReadFromJsonAsync<ProblemBody>(OrchestratorServer.Json);
        return p?.Detail ?? "";
    }

    /// <summary>The fields of RFC 9457 problem details the tests read.</summary>
    public sealed record ProblemBody(int? Status, string? Title, string? Detail);
}
