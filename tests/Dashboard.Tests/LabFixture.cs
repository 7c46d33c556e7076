using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dggrn.Contracts.Api;
using Dggrn.Dashboard.Hosting;
using Dggrn.Orchestrator.Hosting;
using Dggrn.Tests.Common;

namespace Dggrn.Dashboard.Tests;

/// <summary>
/// The real orchestrator (silo + HTTP API, in-process) and the real dashboard over one fresh PostgreSQL database;
/// the dashboard uses the bootstrap admin token as its service token, as local mode does.
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    /// <summary>Bootstrap admin token of the orchestrator (also the dashboard's service token).</summary>
    public const string AdminToken = "dash-test-admin-secret";

    /// <summary>Serializer options matching the orchestrator's wire format.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    PostgresDatabase? _db;
    WebApplication? _orchestrator, _dashboard;

    /// <summary>Dashboard base URL.</summary>
    public string DashboardUrl { get; private set; } = "";

    /// <summary>Orchestrator base URL.</summary>
    public string OrchestratorUrl { get; private set; } = "";

    /// <summary>Connection string of the shared database.</summary>
    public string ConnectionString => _db!.ConnectionString;

    /// <summary>Folder of the local checkpoint store the dashboard reads (a worker would write it).</summary>
    public string StorePath { get; } = Directory.CreateTempSubdirectory("dggrn-lab-store").FullName;

    /// <summary>The dashboard's checkpoint store (tests put images and checkpoints through it, as a worker would).</summary>
    public Dggrn.Checkpoints.ICheckpointStore Store => _dashboard!.Services.GetRequiredService<Dggrn.Checkpoints.ICheckpointStore>();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync("dashlab");
        _orchestrator = OrchestratorHost.Create([], new Dictionary<string, string?>
        {
            ["ConnectionStrings:Lab"] = _db.ConnectionString,
            ["Urls"] = "http://127.0.0.1:0",
            ["Orchestrator:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orchestrator:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orchestrator:BootstrapAdminToken"] = AdminToken,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await _orchestrator.StartAsync();   // applies the migrations the dashboard reads
        OrchestratorUrl = _orchestrator.Urls.First();
        _dashboard = DashboardHost.Create([], new Dictionary<string, string?>
        {
            ["ConnectionStrings:Lab"] = _db.ConnectionString,
            ["Urls"] = "http://127.0.0.1:0",
            ["Dashboard:OrchestratorUrl"] = OrchestratorUrl,
            ["Dashboard:Token"] = AdminToken,
            ["CheckpointStore:Kind"] = "Local",
            ["CheckpointStore:LocalPath"] = StorePath,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await _dashboard.StartAsync();
        DashboardUrl = _dashboard.Urls.First();
    }

    /// <summary>An orchestrator API client with <paramref name="token"/>.</summary>
    public HttpClient Api(string token)
    {
        var c = new HttpClient { BaseAddress = new Uri(OrchestratorUrl) };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    /// <summary>Creates a token through the orchestrator API (as an admin would).</summary>
    public async Task<string> TokenAsync(string role, bool singleUse = false)
    {
        using var admin = Api(AdminToken);
        var r = await admin.PostAsJsonAsync("/api/tokens", new CreateTokenRequest($"{role}-{Guid.NewGuid():N}"[..16], role, singleUse), Json);
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<CreateTokenResponse>(Json))!.Token;
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_dashboard is not null) { await _dashboard.StopAsync(); await _dashboard.DisposeAsync(); }
        if (_orchestrator is not null) { await _orchestrator.StopAsync(); await _orchestrator.DisposeAsync(); }
        if (_db is not null) await _db.DisposeAsync();
        Directory.Delete(StorePath, recursive: true);
    }
}
