using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Hosting;
using Dggrn.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Dggrn.Orchestrator.Tests;

/// <summary>A real orchestrator (silo + Kestrel on a free loopback port) over a fresh PostgreSQL database.</summary>
public sealed class OrchestratorServer : IAsyncDisposable
{
    public const string AdminToken = "test-admin-secret";
    public static readonly JsonSerializerOptions Json = WireJson.Options;

    OrchestratorServer(PostgresDatabase db, WebApplication app, Uri baseAddress)
    {
        Database = db;
        App = app;
        BaseAddress = baseAddress;
        Admin = Client(AdminToken);
    }

    public PostgresDatabase Database { get; }
    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    /// <summary>Client with the bootstrap admin token.</summary>
    public HttpClient Admin { get; }

    /// <summary>Starts a server; <paramref name="settings"/> override the defaults (e.g. Orchestrator:LeaseTtlSeconds).</summary>
    public static async Task<OrchestratorServer> StartAsync(Dictionary<string, string?>? settings = null, PostgresDatabase? reuse = null)
    {
        var db = reuse ?? await PostgresDatabase.CreateAsync("orch");
        var all = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Lab"] = db.ConnectionString,
            ["Urls"] = "http://127.0.0.1:0",
            ["Orchestrator:SiloPort"] = FreePort().ToString(),
            ["Orchestrator:GatewayPort"] = FreePort().ToString(),
            ["Orchestrator:BootstrapAdminToken"] = AdminToken,
            ["Orchestrator:LeaseScanMilliseconds"] = "200",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        var app = OrchestratorHost.Create([], all);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new OrchestratorServer(db, app, new Uri(address));
    }

    /// <summary>Stops the process-equivalent (silo + API) but keeps the database, for restart tests.</summary>
    public async Task StopKeepingDatabaseAsync()
    {
        Admin.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A client sending <paramref name="token"/> (none when null).</summary>
    public HttpClient Client(string? token)
    {
        var c = new HttpClient { BaseAddress = BaseAddress };
        if (token is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    /// <summary>Creates a token of <paramref name="role"/> through the API.</summary>
    public async Task<string> TokenAsync(string role, string? name = null)
    {
        var r = await Admin.PostAsJsonAsync("/api/tokens", new CreateTokenRequest(name ?? role + "-" + Guid.NewGuid().ToString("N")[..6], role));
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<CreateTokenResponse>(Json))!.Token;
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}
