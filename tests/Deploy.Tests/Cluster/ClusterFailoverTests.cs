using System.Net;
using System.Text.Json.Nodes;
using Dggrn.Tests.Common;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Dggrn.Deploy.Tests.Cluster;

/// <summary>
/// The compose deployment run as local processes: real PostgreSQL and S3 server, two `dggrn silo` processes with
/// ADO.NET clustering behind one API address, two workers with the S3 checkpoint store, and the dashboard. A small
/// grid runs to completion while one silo and one worker are SIGKILLed mid-trial; nothing may be lost.
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int Epochs = 4;
    const int StepsPerEpoch = 6;

    // Four trials: two methods x two scales, tiny enough for a shared 2-core machine.
    static readonly string Spec = $"""
        name: cluster-failover
        protocol: dggrn-v1
        datasets:
          - name: Phantom
            modality: T2
            train: ["phantom:seed=1"]
            test: ["phantom:seed=3"]
        training:
          epochs: {Epochs}
          stepsPerEpoch: {StepsPerEpoch}
          batchSize: 8
          logEverySteps: 2
        grid:
          - tables: ["1"]
            methods: [dggrn, resnet]
            blocks: [2]
            filters: [8]
            scale: [2, 3]
            seed: [0]
        """;

    readonly List<ServiceProcess> _processes = [];
    readonly string _work = Directory.CreateTempSubdirectory("dggrn-cluster-").FullName;
    PostgresDatabase? _db;
    TcpFailoverProxy? _proxy;

    public async Task InitializeAsync() => _db = await PostgresDatabase.CreateAsync("deploy");

    public async Task DisposeAsync()
    {
        foreach (var p in _processes) p.Dispose();
        if (_proxy is not null) await _proxy.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }

    string Diagnostics() => string.Join('\n', _processes.Select(p => p.Tail()));

    // About 90 s here (2 shared cores), so it runs by default rather than as Category=Long.
    [Dggrn.Tests.Common.Fault("SIGKILL the scheduler's silo and a training worker together (two silo processes, two workers)",
        "the grid completes through the survivors; the killed trial resumes from its checkpoint; every epoch's metrics exist exactly once")]
    [Fact]
    public async Task AGridCompletesWhileASiloAndAWorkerAreKilled()
    {
        var (s3Endpoint, s3Access, s3Secret) = TestEnvironment.S3;
        var adminToken = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var store = new Dictionary<string, string>
        {
            ["CheckpointStore__Kind"] = "S3",
            ["CheckpointStore__Endpoint"] = s3Endpoint,
            ["CheckpointStore__AccessKey"] = s3Access,
            ["CheckpointStore__SecretKey"] = s3Secret,
            ["CheckpointStore__Bucket"] = "cluster-" + Guid.NewGuid().ToString("N")[..12],
            ["CheckpointStore__UseSsl"] = "false",
        };
        var orchestratorDll = Path.Combine(TestEnvironment.ProjectOutput("Dggrn.Cli"), "dggrn.dll");
        var workerDll = Path.Combine(TestEnvironment.ProjectOutput("Dggrn.Worker", ridSpecific: true), "dggrn-worker.dll");
        var dashboardDll = Path.Combine(TestEnvironment.ProjectOutput("Dggrn.Dashboard"), "dggrn-dashboard.dll");

        // Two silos as compose runs them (AdoNet clustering), but on one loopback, so with distinct ports. silo-2
        // advertises a host name resolved at start, as a compose silo advertises its service name.
        var siloHttp = new List<int>();
        var siloPorts = new List<int>();
        var silos = new List<ServiceProcess>();
        foreach (var name in new[] { "silo-1", "silo-2" })
        {
            var http = Poll.FreePort();
            siloHttp.Add(http);
            siloPorts.Add(Poll.FreePort());
            var env = new Dictionary<string, string>(store)
            {
                ["ConnectionStrings__Lab"] = _db!.ConnectionString,
                ["Orchestrator__Clustering"] = "AdoNet",
                ["Orchestrator__SiloPort"] = siloPorts[^1].ToString(),
                ["Orchestrator__GatewayPort"] = Poll.FreePort().ToString(),
                ["Orchestrator__BootstrapAdminToken"] = adminToken,
                ["Orchestrator__ClusterId"] = "deploy-test-" + _db.Name,
                ["Orchestrator__FastFailover"] = "true",
                ["Orchestrator__LeaseTtlSeconds"] = "10",
                ["Orchestrator__HeartbeatSeconds"] = "2",
                ["Urls"] = $"http://127.0.0.1:{http}",
            };
            if (name == "silo-2") env["Orchestrator__AdvertisedAddress"] = "localhost";
            var silo = Start(name, orchestratorDll, ["silo"], env);
            silos.Add(silo);
            await Poll.HealthyAsync(name, $"http://127.0.0.1:{http}/health", TimeSpan.FromSeconds(120), Diagnostics, silo);
        }
        // One cluster, not two: each silo sees both members active.
        var siloApis = siloHttp.Select(p => new LabApi($"http://127.0.0.1:{p}", adminToken)).ToList();
        var clusterViews = new List<JsonNode>();
        foreach (var siloApi in siloApis)
            clusterViews.Add(await Poll.UntilAsync("both silos active in one cluster", TimeSpan.FromSeconds(90), async () =>
                await siloApi.TryGetAsync("api/cluster") is { } v && v["members"]!.AsArray().Count(m => m!["status"]!.GetValue<string>() == "Active") == 2 ? v : null,
                Diagnostics));
        var siloAddresses = clusterViews.Select(v => v["silo"]!.GetValue<string>()).ToList();
        // Each silo registered the address it was told to advertise: the default, and "localhost" resolved to IPv4.
        for (var i = 0; i < 2; i++)
            Assert.Contains($"127.0.0.1:{siloPorts[i]}", siloAddresses[i]);
        _proxy = new TcpFailoverProxy(siloHttp);
        using var api = new LabApi(_proxy.Url, adminToken);
        var workerToken = (await api.PostAsync("api/tokens", new { name = "cluster-workers", role = "worker" }))["token"]!.GetValue<string>();

        var dashboardPort = Poll.FreePort();
        var dashboard = Start("dashboard", dashboardDll, [], new Dictionary<string, string>(store)
        {
            ["ConnectionStrings__Lab"] = _db!.ConnectionString,
            ["Dashboard__OrchestratorUrl"] = _proxy.Url,
            ["Dashboard__Token"] = adminToken,
            ["Urls"] = $"http://127.0.0.1:{dashboardPort}",
        });
        await Poll.HealthyAsync("dashboard", $"http://127.0.0.1:{dashboardPort}/health", TimeSpan.FromSeconds(120), Diagnostics, dashboard);

        var workers = new List<ServiceProcess>();
        foreach (var name in new[] { "worker-1", "worker-2" })
            workers.Add(Start(name, workerDll, [], new Dictionary<string, string>(store)
            {
                ["Worker__OrchestratorUrl"] = _proxy.Url,
                ["Worker__Token"] = workerToken,
                ["Worker__Devices"] = "cpu",
                ["Worker__SlotsPerDevice"] = "1",
                ["Worker__Threads"] = "1",
                ["Worker__Name"] = name,
                ["Worker__ScratchDirectory"] = Path.Combine(_work, name),
            }));
        var workerIds = await Poll.UntilAsync("both workers registered", TimeSpan.FromSeconds(90), async () =>
        {
            var list = (await api.TryGetAsync("api/workers"))?.AsArray();
            var ids = workers.Select(w => list?.FirstOrDefault(x => x!["pid"]!.GetValue<int>() == w.Pid)?["id"]?.GetValue<string>()).ToList();
            return ids.All(i => i is not null) ? ids.Select(i => i!).ToList() : null;
        }, Diagnostics);

        var submitted = await api.PostAsync("api/experiments", new { spec = Spec });
        var experimentId = submitted["id"]!.GetValue<Guid>();
        Assert.Equal(4, submitted["trials"]!.GetValue<int>());

        // Wait until worker-1 is mid-trial with a verified checkpoint behind it, then kill it and the first silo together.
        var victim = await Poll.UntilAsync("a trial on worker-1 with a checkpoint", TimeSpan.FromSeconds(240), async () =>
        {
            foreach (var t in Trials(await api.TryGetAsync($"api/experiments/{experimentId}")))
                if (t["worker"]?.GetValue<string>() == workerIds[0] && t["state"]!.GetValue<string>() == "Running"
                    && await CheckpointsAsync(t["id"]!.GetValue<Guid>()) > 0)
                    return t;
            return null;
        }, Diagnostics);
        var victimId = victim["id"]!.GetValue<Guid>();
        // Kill the silo that hosts the scheduler, the harder case; the other survives.
        var scheduler = (await siloApis[0].TryGetAsync("api/cluster"))?["scheduler"]?.GetValue<string>();
        var dead = Math.Max(0, siloAddresses.IndexOf(scheduler ?? ""));
        var alive = 1 - dead;
        output.WriteLine($"killing worker-1 (pid {workers[0].Pid}) running trial {victimId} at epoch {victim["epoch"]} and {silos[dead].Name} (pid {silos[dead].Pid}, scheduler {scheduler})");
        workers[0].KillHard();
        silos[dead].KillHard();
        await Poll.UntilAsync("the killed silo declared dead by the survivor", TimeSpan.FromSeconds(60), async () =>
            await siloApis[alive].TryGetAsync("api/cluster") is { } v
            && v["members"]!.AsArray().Any(m => m!["silo"]!.GetValue<string>() == siloAddresses[dead] && m["status"]!.GetValue<string>() == "Dead") ? v : null,
            Diagnostics);

        // The grid still completes, through the surviving silo and worker.
        var final = await Poll.UntilAsync("every trial finished", TimeSpan.FromSeconds(420), async () =>
        {
            var detail = await api.TryGetAsync($"api/experiments/{experimentId}");
            var trials = Trials(detail).ToList();
            return trials.Count == 4 && trials.All(t => t["state"]!.GetValue<string>() is "Succeeded" or "Failed" or "Cancelled") ? trials : null;
        }, Diagnostics);
        Assert.All(final, t => Assert.True(t["state"]!.GetValue<string>() == "Succeeded", $"trial {t["key"]} ended {t["state"]}: {t["error"]}\n{Diagnostics()}"));

        // The killed trial was leased again and resumed from its checkpoint, not restarted.
        var resumed = final.Single(t => t["id"]!.GetValue<Guid>() == victimId);
        Assert.True(resumed["attempts"]!.GetValue<int>() >= 2, $"the killed trial shows {resumed["attempts"]} attempt(s)");
        Assert.True(resumed["resumedFromEpoch"]?.GetValue<int>() >= 1, $"the killed trial resumed from epoch {resumed["resumedFromEpoch"]}");

        // Nothing lost, nothing doubled: every epoch's test metrics exist exactly once per trial, at the epoch's last step.
        await using (var conn = new NpgsqlConnection(_db.ConnectionString))
        {
            await conn.OpenAsync();
            foreach (var t in final)
            {
                await using var cmd = new NpgsqlCommand(
                    "SELECT name, step, count(*) FROM metrics WHERE trial_id = @t AND name IN ('test/psnr', 'test/ssim', 'train/epoch_loss') GROUP BY name, step ORDER BY name, step", conn);
                cmd.Parameters.AddWithValue("t", t["id"]!.GetValue<Guid>());
                var rows = new List<(string Name, long Step, long Count)>();
                await using (var r = await cmd.ExecuteReaderAsync())
                    while (await r.ReadAsync()) rows.Add((r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
                foreach (var name in new[] { "test/psnr", "test/ssim", "train/epoch_loss" })
                {
                    var steps = rows.Where(x => x.Name == name).ToList();
                    Assert.All(steps, s => Assert.Equal(1, s.Count));
                    // Step = global optimiser step at each epoch's end: 6, 12, 18, 24 for 6 steps per epoch.
                    Assert.Equal(Enumerable.Range(1, Epochs).Select(e => (long)e * StepsPerEpoch), steps.Select(s => s.Step));
                }
            }
        }

        // The dashboard, whose orchestrator address now leads only to the surviving silo, still lists every trial.
        var html = await DashboardPageAsync(dashboardPort, adminToken, $"experiments/{experimentId}");
        Assert.All(final, t => Assert.Contains(t["key"]!.GetValue<string>(), html));
        Assert.True(silos[alive].HasExited is false && workers[1].HasExited is false, "the surviving silo and worker must still run");
        Assert.Equal(siloAddresses[alive], (await siloApis[alive].TryGetAsync("api/cluster"))?["scheduler"]?.GetValue<string>());
        foreach (var a in siloApis) a.Dispose();
    }

    ServiceProcess Start(string name, string dll, string[] args, Dictionary<string, string> env)
    {
        var p = ServiceProcess.Start(name, dll, args, env, _work);
        _processes.Add(p);
        return p;
    }

    /// <summary>Checkpoints PostgreSQL records for a trial (recorded only once the upload is verified).</summary>
    async Task<long> CheckpointsAsync(Guid trialId)
    {
        await using var conn = new NpgsqlConnection(_db!.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM checkpoints WHERE trial_id = @t", conn);
        cmd.Parameters.AddWithValue("t", trialId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    static IEnumerable<JsonNode> Trials(JsonNode? detail) =>
        detail?["trials"]?.AsArray().OfType<JsonNode>() ?? [];

    /// <summary>Signs in with a token (cookie) and fetches a prerendered dashboard page.</summary>
    static async Task<string> DashboardPageAsync(int port, string token, string path)
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
        var signIn = await http.GetAsync($"signin?token={Uri.EscapeDataString(token)}&returnUrl=/");
        Assert.True(signIn.IsSuccessStatusCode, $"dashboard sign-in answered {(int)signIn.StatusCode}");
        var page = await http.GetAsync(path);
        Assert.True(page.IsSuccessStatusCode, $"dashboard {path} answered {(int)page.StatusCode}");
        return await page.Content.ReadAsStringAsync();
    }
}
