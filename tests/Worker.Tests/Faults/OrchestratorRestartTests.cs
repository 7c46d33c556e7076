using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Hosting;
using Dggrn.Tests.Common;
using Dggrn.Worker.Service;
using Dggrn.Worker.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Npgsql;

namespace Dggrn.Worker.Tests.Faults;

/// <summary>The only silo (local mode's orchestrator: silo + API in one process) is stopped and started again on the same
/// address and database while a real worker trains.</summary>
public sealed class OrchestratorRestartTests
{
    const string Admin = "restart-admin";
    const int Steps = 60, Epochs = 2;

    static async Task<WebApplication> StartAsync(string connectionString, int httpPort)
    {
        var app = OrchestratorHost.Create([], new Dictionary<string, string?>
        {
            ["ConnectionStrings:Lab"] = connectionString,
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Orchestrator:SiloPort"] = FreePort().ToString(),
            ["Orchestrator:GatewayPort"] = FreePort().ToString(),
            ["Orchestrator:BootstrapAdminToken"] = Admin,
            ["Orchestrator:LeaseScanMilliseconds"] = "200",
            ["Orchestrator:LeaseTtlSeconds"] = "60",
            ["Orchestrator:HeartbeatSeconds"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await app.StartAsync();
        return app;
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fault("Restart the only silo (the orchestrator process) while a worker trains",
        "the worker rides out the restart; the running trial keeps its lease and attempt and finishes; every metric point and batch is stored exactly once")]
    [Fact]
    public async Task The_running_trial_finishes_on_its_first_attempt_across_an_orchestrator_restart()
    {
        var dir = Directory.CreateTempSubdirectory("dggrn-orch-restart-").FullName;
        await using var db = await PostgresDatabase.CreateAsync("orst");
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        using var admin = new HttpClient { BaseAddress = url };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Admin);
        WebApplication? running = await StartAsync(db.ConnectionString, port);
        WorkerProcess? worker = null;
        try
        {
            var token = (await (await admin.PostAsJsonAsync("/api/tokens", new CreateTokenRequest("restart-worker", "worker"))).Content
                .ReadFromJsonAsync<CreateTokenResponse>(OrchestratorClient.Json))!.Token;
            var submitted = await admin.PostAsJsonAsync("/api/experiments", new SubmitRequest(Specs.OneDggrn("silo-restart", epochs: Epochs, stepsPerEpoch: Steps, filters: 16, batch: 16), null, false), OrchestratorClient.Json);
            var exp = (await submitted.Content.ReadFromJsonAsync<SubmitResponse>(OrchestratorClient.Json))!;
            worker = new WorkerProcess(url, token, Path.Combine(dir, "store"), Path.Combine(dir, "scratch"));
            async Task<TrialSummary> TrialAsync() =>
                (await admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{exp.Id}", OrchestratorClient.Json))!.Trials.Single();
            var w = worker;
            var trial = await Poll.UntilAsync(TrialAsync, t => t.State == "Running" && t.Epoch >= 0, TimeSpan.FromMinutes(2), t => $"{t.State}\n{w.Output}");
            await Poll.UntilAsync(() => LossStepsAsync(db.ConnectionString, trial.Id), s => s.Count > 5, TimeSpan.FromMinutes(2), s => $"{s.Count} points\n{w.Output}");

            await running.StopAsync();
            await running.DisposeAsync();
            running = null;
            // Down until the worker has noticed (a heartbeat or report failed), then back on the same address.
            await Poll.UntilAsync(() => Task.FromResult(w.Output), o => o.Contains("unreachable", StringComparison.Ordinal) || o.Contains("heartbeat failed", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), o => o);
            Assert.False(w.HasExited, w.Output);
            running = await StartAsync(db.ConnectionString, port);

            var done = await Poll.UntilAsync(TrialAsync, t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(4), t => $"{t.State}\n{w.Output}");
            Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{w.Output}");
            Assert.Equal(1, done.Attempts);
            Assert.Equal(Enumerable.Range(1, Steps * Epochs).Select(i => (long)i), await LossStepsAsync(db.ConnectionString, trial.Id));
            await using var c = new NpgsqlConnection(db.ConnectionString);
            await c.OpenAsync();
            await using var dup = new NpgsqlCommand("SELECT count(*) - count(DISTINCT sequence) FROM metric_batches WHERE trial_id = @t", c);
            dup.Parameters.AddWithValue("t", trial.Id);
            Assert.Equal(0L, (long)(await dup.ExecuteScalarAsync())!);
        }
        finally
        {
            worker?.Dispose();
            if (running is not null) { await running.StopAsync(); await running.DisposeAsync(); }
            Directory.Delete(dir, recursive: true);
        }
    }

    static async Task<List<long>> LossStepsAsync(string cs, Guid trial)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT step FROM metrics WHERE trial_id = @t AND name = 'train/loss' ORDER BY step", c);
        cmd.Parameters.AddWithValue("t", trial);
        var steps = new List<long>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) steps.Add(r.GetInt64(0));
        return steps;
    }
}
