using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Numerics self-checks and trial environments travel through the API and are shown; a worker with wrong numerics
/// gets no trials; a diverged trial is shown as such; NaN and infinite values never break a serializer.</summary>
public sealed class NumericsReportingTests : IAsyncLifetime
{
    OrchestratorServer _s = null!;

    public async Task InitializeAsync() => _s = await OrchestratorServer.StartAsync();
    public async Task DisposeAsync() => await _s.DisposeAsync();

    static NumericsInfo Check(bool passed, double error) => new(passed, passed ? "channels-last" : null, 2, "cpu", error, 1e-3,
        "AMD EPYC", "AuthenticAMD", 26, 2, "2.10.0", "0.107.0", "Intel(R) MKL-DNN v3.7.1", "AVX512", passed ? ["jit:avx512_core forward_training"] : [],
        [new("channels-last", error, "dggrn N=1 K=8 x3: gradient of tail.weight", passed, 0.4), new("blocked", double.PositiveInfinity, "dggrn N=1 K=8 x3: output", false, 0.7)],
        ["dggrn N=1 K=8 x3"], passed ? null : "numerics: float32 convolutions disagree with float64 on every path (...)", 1.1, DateTimeOffset.UtcNow);

    async Task<WorkerClient> RegisterAsync(NumericsInfo numerics)
    {
        var http = _s.Client(await _s.TokenAsync("worker"));
        var r = await http.PostAsJsonAsync("/api/workers/register",
            new RegisterWorkerRequest("testhost", Environment.ProcessId, [new DeviceInfo("cpu", "cpu", 8L << 30, 2)], "test", null, numerics), OrchestratorServer.Json);
        r.EnsureSuccessStatusCode();
        return new WorkerClient(http, (await r.Content.ReadFromJsonAsync<RegisterWorkerResponse>(OrchestratorServer.Json))!.WorkerId);
    }

    async Task<WorkerSummary> ListedAsync(string id) =>
        (await _s.Admin.GetFromJsonAsync<WorkerSummary[]>("/api/workers", OrchestratorServer.Json))!.Single(w => w.Id == id);

    [Fact]
    public async Task A_worker_with_wrong_numerics_is_listed_as_refused_with_its_reason_and_gets_no_trials()
    {
        var e = await TestSpecs.SubmitAsync(_s.Admin, TestSpecs.Noop(2, "refused"));
        var bad = await RegisterAsync(Check(false, double.PositiveInfinity));
        Assert.Empty(await bad.LeaseAsync(2));
        var listed = await ListedAsync(bad.Id);
        Assert.Equal("Refused", listed.State);
        Assert.False(listed.Numerics!.Passed);
        Assert.StartsWith("numerics: float32 convolutions disagree", listed.Numerics.Reason);
        Assert.True(double.IsPositiveInfinity(listed.Numerics.MaxRelativeError));
        // The trials wait for a worker whose numerics are right.
        var good = await RegisterAsync(Check(true, 9.5e-7));
        Assert.Equal(2, (await good.LeaseAsync(2)).Length);
        var ok = await ListedAsync(good.Id);
        Assert.Equal("Active", ok.State);
        Assert.Equal("channels-last", ok.Numerics!.Path);
        Assert.Equal(26, ok.Numerics.CpuFamily);
        Assert.Equal(e.Trials, (await _s.Admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{e.Id}", OrchestratorServer.Json))!.Trials.Count(t => t.State == "Leased"));
    }

    [Fact]
    public async Task A_started_trial_records_its_environment_with_the_numerics_of_its_own_network()
    {
        var (e, w, grants) = await WorkerClient.SubmitAndLeaseAsync(_s, 1, "environment", 1);
        var env = new TrialEnvironment("gpu-box-7", w.Id, "cpu", 2, ".NET 10.0.3", "Debian 12", "1.0.0", Check(true, 6.0e-7));
        (await w.Http.PostAsJsonAsync($"/api/trials/{grants[0].TrialId}/started", new TrialStartedRequest(grants[0].LeaseId, null, env), OrchestratorServer.Json))
            .EnsureSuccessStatusCode();
        var t = Assert.Single((await _s.Admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{e.Id}", OrchestratorServer.Json))!.Trials);
        Assert.Equal("Running", t.State);
        Assert.Equal("gpu-box-7", t.Environment!.Host);
        Assert.Equal(2, t.Environment.Threads);
        Assert.Equal("channels-last", t.Environment.Numerics!.Path);
        Assert.Equal(6.0e-7, t.Environment.Numerics.MaxRelativeError);
    }

    [Fact]
    public async Task A_diverged_trial_is_shown_as_diverged_and_never_retried()
    {
        var (e, w, grants) = await WorkerClient.SubmitAndLeaseAsync(_s, 2, "diverged", 1);
        var g = grants[0];
        // Retryable is ignored for a divergence: the same configuration diverges again.
        (await w.PostAsync(g.TrialId, "failed", new TrialFailedRequest(g.LeaseId, "diverged at epoch 3, step 41: loss NaN", true, Diverged: true))).EnsureSuccessStatusCode();
        var d = (await _s.Admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{e.Id}", OrchestratorServer.Json))!;
        var t = d.Trials.Single(x => x.Id == g.TrialId);
        Assert.Equal(TrialStates.Diverged, t.State);
        Assert.Equal("diverged at epoch 3, step 41: loss NaN", t.Error);
        var next = Assert.Single(await w.LeaseAsync(2));
        Assert.NotEqual(g.TrialId, next.TrialId);
    }

    [Fact]
    public async Task NaN_and_infinite_metrics_and_results_are_stored_and_served_without_error()
    {
        var (e, w, grants) = await WorkerClient.SubmitAndLeaseAsync(_s, 1, "nonfinite", 1);
        var g = grants[0];
        var now = DateTimeOffset.UtcNow;
        var batch = new MetricBatch(g.LeaseId, g.Attempt, 1, [new("train/loss", 1, 1, double.NaN, now), new("test/psnr", 1, 1, double.PositiveInfinity, now),
            new("test/ssim", 1, 1, double.NegativeInfinity, now)]);
        (await w.Http.PostAsJsonAsync($"/api/trials/{g.TrialId}/metrics", batch, OrchestratorServer.Json)).EnsureSuccessStatusCode();
        var live = (await _s.Admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{e.Id}", OrchestratorServer.Json))!.Trials[0];
        Assert.True(double.IsPositiveInfinity(live.Metrics["test/psnr"]));
        Assert.True(double.IsNegativeInfinity(live.Metrics["test/ssim"]));
        // A perfect reconstruction has an infinite PSNR: the final result stores and serves it.
        var axis = new AxisResult { Slices = 2, Psnr = double.PositiveInfinity, Ssim = 1.0, PerSlicePsnr = [double.PositiveInfinity, double.PositiveInfinity], PerSliceSsim = [1.0, 1.0] };
        var result = new EvalResult { Method = "noop", Volume = "phantom", Scale = 2, Axes = new() { ["2"] = axis }, Overall = axis };
        (await w.Http.PostAsJsonAsync($"/api/trials/{g.TrialId}/complete", new TrialCompletedRequest(g.LeaseId, 1, result, 0, 1), OrchestratorServer.Json))
            .EnsureSuccessStatusCode();
        var body = await _s.Admin.GetStringAsync($"/api/experiments/{e.Id}");
        Assert.Contains("\"Infinity\"", body);
        var done = (await _s.Admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{e.Id}", OrchestratorServer.Json))!.Trials[0];
        Assert.Equal("Succeeded", done.State);
        Assert.True(double.IsPositiveInfinity(done.Metrics["test/psnr"]));
        using var report = await _s.Admin.GetAsync($"/api/experiments/{e.Id}/report?table=1&format=json");
        Assert.True(report.IsSuccessStatusCode, await report.Content.ReadAsStringAsync());
    }
}
