using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Hosting;
using Dggrn.Tests.Common;
using Dggrn.Worker.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dggrn.Worker.Tests.Fixtures;

/// <summary>A real orchestrator (Orleans silo + Kestrel on a loopback port) over a fresh PostgreSQL database, in this process.</summary>
public sealed class OrchestratorInstance : IAsyncDisposable
{
    public const string AdminToken = "worker-tests-admin";

    readonly string _connectionString;

    OrchestratorInstance(PostgresDatabase? db, string connectionString, WebApplication app, Uri baseAddress)
    {
        Database = db;
        _connectionString = connectionString;
        App = app;
        BaseAddress = baseAddress;
        Admin = new HttpClient { BaseAddress = baseAddress };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    /// <summary>The test database, when this instance created one (null on a caller's server).</summary>
    public PostgresDatabase? Database { get; }
    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public HttpClient Admin { get; }

    /// <summary>Short lease and heartbeat times so a dead worker's trial is requeued within seconds.</summary>
    public static async Task<OrchestratorInstance> StartAsync(int leaseTtlSeconds = 4, int maxAttempts = 3, string? connectionString = null)
    {
        var db = connectionString is null ? await PostgresDatabase.CreateAsync("wrk") : null;
        var cs = connectionString ?? db!.ConnectionString;
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Lab"] = cs,
            ["Urls"] = "http://127.0.0.1:0",
            ["Orchestrator:SiloPort"] = FreePort().ToString(),
            ["Orchestrator:GatewayPort"] = FreePort().ToString(),
            ["Orchestrator:BootstrapAdminToken"] = AdminToken,
            ["Orchestrator:LeaseScanMilliseconds"] = "200",
            ["Orchestrator:LeaseTtlSeconds"] = leaseTtlSeconds.ToString(),
            ["Orchestrator:HeartbeatSeconds"] = "1",
            ["Orchestrator:MaxAttempts"] = maxAttempts.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var app = OrchestratorHost.Create([], settings);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new OrchestratorInstance(db, cs, app, new Uri(address));
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async Task<string> WorkerTokenAsync()
    {
        var r = await Admin.PostAsJsonAsync("/api/tokens", new CreateTokenRequest("worker-" + Guid.NewGuid().ToString("N")[..6], "worker"));
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<CreateTokenResponse>(OrchestratorClient.Json))!.Token;
    }

    public async Task<SubmitResponse> SubmitAsync(string spec, bool rerun = false)
    {
        var r = await Admin.PostAsJsonAsync("/api/experiments", new SubmitRequest(spec, null, rerun), OrchestratorClient.Json);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"submit failed: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return (await r.Content.ReadFromJsonAsync<SubmitResponse>(OrchestratorClient.Json))!;
    }

    public async Task<ExperimentDetail> DetailAsync(Guid id) =>
        (await Admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{id}", OrchestratorClient.Json))!;

    public async Task<TrialSummary> TrialAsync(Guid experiment) => (await DetailAsync(experiment)).Trials.Single();

    public async Task<WorkerSummary[]> WorkersAsync() =>
        (await Admin.GetFromJsonAsync<WorkerSummary[]>("/api/workers", OrchestratorClient.Json))!;

    public async Task<CheckpointInfo[]> CheckpointsAsync(Guid trial) =>
        (await Admin.GetFromJsonAsync<CheckpointInfo[]>($"/api/trials/{trial}/checkpoints", OrchestratorClient.Json))!;

    /// <summary>Every stored metric point of a trial as (name, step) -> value, straight from PostgreSQL.</summary>
    public async Task<Dictionary<(string Name, long Step), double>> MetricsAsync(Guid trial)
    {
        await using var c = new NpgsqlConnection(_connectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT name, step, value FROM metrics WHERE trial_id = @t", c);
        cmd.Parameters.AddWithValue("t", trial);
        var result = new Dictionary<(string, long), double>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) result.Add((r.GetString(0), r.GetInt64(1)), r.GetDouble(2));
        return result;
    }

    /// <summary>A scalar from PostgreSQL (for transition and error checks).</summary>
    public async Task<List<string>> StringsAsync(string sql, Guid trial)
    {
        await using var c = new NpgsqlConnection(_connectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        cmd.Parameters.AddWithValue("t", trial);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.IsDBNull(0) ? "" : Convert.ToString(r.GetValue(0))!);
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
    }
}
