using System.Net.Http.Json;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Small grid documents used across tests.</summary>
public static class TestSpecs
{
    /// <summary>N noop trials (seeds 0..n-1) on a phantom dataset.</summary>
    public static string Noop(int n, string name = "noop", int epochs = 1, int keepBest = 1) => $$"""
        name: {{name}}
        datasets:
          - name: Phantom
            train: ["phantom:seed=1"]
            test: ["phantom:seed=2"]
        training: { epochs: {{epochs}}, keepBest: {{keepBest}} }
        grid:
          - tables: ["1"]
            methods: [noop]
            seed: [{{string.Join(", ", Enumerable.Range(0, n))}}]
        """;

    public static async Task<SubmitResponse> SubmitAsync(HttpClient c, string spec, bool rerun = false, int? priority = null)
    {
        var r = await c.PostAsJsonAsync("/api/experiments", new SubmitRequest(spec, null, rerun, priority));
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"submit failed: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return (await r.Content.ReadFromJsonAsync<SubmitResponse>(OrchestratorServer.Json))!;
    }

    public static async Task<ExperimentDetail> DetailAsync(HttpClient c, Guid id) =>
        (await c.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{id}", OrchestratorServer.Json))!;
}
