using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dggrn.Deploy.Tests.Cluster;
using Dggrn.Tests.Common;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Dggrn.Deploy.Tests.Security;

/// <summary>
/// Runs the orchestrator, a worker and the dashboard as processes with known secrets (PostgreSQL password, S3 keys,
/// tokens) and verbose logging, drives good and failing requests (bad token, bad JSON, S3 refusing the keys, a database
/// that does not exist), then greps every log file, every stored error and every page and error body for each secret.
/// </summary>
public sealed class SecretLeakTests(ITestOutputHelper output) : IAsyncLifetime
{
    static readonly string Spec = """
        name: leak-check
        datasets:
          - name: Phantom
            train: ["phantom:seed=1"]
            test: ["phantom:seed=3"]
        training: { epochs: 1, stepsPerEpoch: 2, batchSize: 4, logEverySteps: 1 }
        grid:
          - tables: ["1"]
            methods: [dggrn]
            blocks: [2]
            filters: [8]
            scale: [2]
            seed: [0]
        """;

    readonly List<ServiceProcess> _processes = [];
    readonly string _work = Directory.CreateTempSubdirectory("dggrn-leak-").FullName;
    readonly List<(string Where, string Text)> _seen = [];
    PostgresDatabase? _db;

    public async Task InitializeAsync() => _db = await PostgresDatabase.CreateAsync("leak");

    public async Task DisposeAsync()
    {
        foreach (var p in _processes) p.Dispose();
        if (_db is not null) await _db.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }

    static string Random(string prefix) => prefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    string Diagnostics() => string.Join('\n', _processes.Select(p => p.Tail()));

    ServiceProcess Start(string name, string dll, string[] args, Dictionary<string, string> env)
    {
        // The most verbose level the product ships with a provider for: a secret logged only at Debug is still a leak.
        env["Logging__LogLevel__Default"] = "Debug";
        var p = ServiceProcess.Start(name, dll, args, env, _work);
        _processes.Add(p);
        return p;
    }

    async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string url, string? token, HttpContent? body = null)
    {
        var req = new HttpRequestMessage(method, url) { Content = body };
        if (token is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var r = await http.SendAsync(req);
        _seen.Add(($"{method} {url} -> {(int)r.StatusCode}", await r.Content.ReadAsStringAsync()));
        return r;
    }

    [Fact]
    public async Task No_configured_secret_appears_in_logs_errors_or_pages()
    {
        var (s3Endpoint, _, _) = TestEnvironment.S3;
        var secrets = new Dictionary<string, string>
        {
            ["PostgreSQL password"] = Random("pgpw-"),
            ["S3 secret key"] = Random("s3sk-"),
            ["bootstrap admin token"] = Random("boot-"),
            ["refused token"] = Random("nope-"),
        };
        // The S3 server does not know this key pair, so every store operation is refused: the S3 error path.
        var store = new Dictionary<string, string>
        {
            ["CheckpointStore__Kind"] = "S3",
            ["CheckpointStore__Endpoint"] = s3Endpoint,
            ["CheckpointStore__AccessKey"] = Random("AK"),
            ["CheckpointStore__SecretKey"] = secrets["S3 secret key"],
            ["CheckpointStore__Bucket"] = "leak-" + Guid.NewGuid().ToString("N")[..12],
            ["CheckpointStore__UseSsl"] = "false",
        };
        var lab = _db!.ConnectionString + ";Password=" + secrets["PostgreSQL password"];
        var orchestratorDll = Path.Combine(TestEnvironment.ProjectOutput("Dggrn.Cli"), "dggrn.dll");
        var workerDll = Path.Combine(TestEnvironment.ProjectOutput("Dggrn.Worker", ridSpecific: true), "dggrn-worker.dll");
        var dashboardDll = Path.Combine(TestEnvironment.ProjectOutput("Dggrn.Dashboard"), "dggrn-dashboard.dll");

        var apiPort = Poll.FreePort();
        var api = $"http://127.0.0.1:{apiPort}";
        var orchestrator = Start("orchestrator", orchestratorDll, ["silo"], new Dictionary<string, string>(store)
        {
            ["ConnectionStrings__Lab"] = lab,
            ["Orchestrator__SiloPort"] = Poll.FreePort().ToString(),
            ["Orchestrator__GatewayPort"] = Poll.FreePort().ToString(),
            ["Orchestrator__BootstrapAdminToken"] = secrets["bootstrap admin token"],
            ["Orchestrator__LeaseTtlSeconds"] = "10",
            ["Orchestrator__HeartbeatSeconds"] = "2",
            ["Urls"] = api,
        });
        await Poll.HealthyAsync("orchestrator", $"{api}/health", TimeSpan.FromSeconds(120), Diagnostics, orchestrator);

        using var http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromSeconds(60) };
        var admin = secrets["bootstrap admin token"];
        async Task<string> TokenAsync(string name, string role, bool singleUse = false)
        {
            var r = await SendAsync(http, HttpMethod.Post, "/api/tokens", admin, Json(new JsonObject { ["name"] = name, ["role"] = role, ["singleUse"] = singleUse }));
            Assert.True(r.IsSuccessStatusCode, $"token creation answered {(int)r.StatusCode}");
            // The one answer that must carry the secret: shown once to the admin who asked. Not scanned.
            var created = JsonNode.Parse(_seen[^1].Text)!["token"]!.GetValue<string>();
            _seen.RemoveAt(_seen.Count - 1);
            return created;
        }
        secrets["worker token"] = await TokenAsync("leak-worker", "worker");
        secrets["dashboard service token"] = await TokenAsync("leak-dashboard", "admin");
        secrets["sign-in link token"] = await TokenAsync("leak-viewer", "viewer", singleUse: true);

        // Failing requests: no token, a wrong token, a token in the wrong header, malformed JSON, a bad spec.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Get, "/api/experiments", secrets["refused token"])).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Get, "/api/workers", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(http, HttpMethod.Post, "/api/experiments", admin, new StringContent("{\"spec\": 5", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(http, HttpMethod.Post, "/api/experiments", admin, Json(new JsonObject { ["spec"] = "grid: nonsense" }))).StatusCode);
        var submitted = await SendAsync(http, HttpMethod.Post, "/api/experiments", admin, Json(new JsonObject { ["spec"] = Spec }));
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var experimentId = JsonNode.Parse(_seen[^1].Text)!["id"]!.GetValue<Guid>();

        var worker = Start("worker", workerDll, [], new Dictionary<string, string>(store)
        {
            ["Worker__OrchestratorUrl"] = api,
            ["Worker__Token"] = secrets["worker token"],
            ["Worker__Devices"] = "cpu",
            ["Worker__SlotsPerDevice"] = "1",
            ["Worker__Threads"] = "1",
            ["Worker__Name"] = "leak-worker-1",
            ["Worker__ScratchDirectory"] = Path.Combine(_work, "scratch"),
        });

        var dashboardPort = Poll.FreePort();
        var dashboardUrl = $"http://127.0.0.1:{dashboardPort}";
        var dashboard = Start("dashboard", dashboardDll, [], new Dictionary<string, string>(store)
        {
            ["ConnectionStrings__Lab"] = lab,
            ["Dashboard__OrchestratorUrl"] = api,
            ["Dashboard__Token"] = secrets["dashboard service token"],
            ["Urls"] = dashboardUrl,
        });
        await Poll.HealthyAsync("dashboard", $"{dashboardUrl}/health", TimeSpan.FromSeconds(120), Diagnostics, dashboard);

        // The worker meets the S3 refusal when it stores its first checkpoint; wait until that attempt has ended.
        var trial = await Poll.UntilAsync("the trial's first attempt ended (the store refuses the keys)", TimeSpan.FromSeconds(240), async () =>
        {
            var r = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/experiments/{experimentId}") { Headers = { Authorization = new("Bearer", admin) } });
            var t = JsonNode.Parse(await r.Content.ReadAsStringAsync())?["trials"]?.AsArray().FirstOrDefault();
            return t is not null && (t["error"] is not null || t["attempts"]!.GetValue<int>() >= 2 || t["state"]!.GetValue<string>() == "Failed") ? t : null;
        }, Diagnostics);
        output.WriteLine($"trial {trial["key"]}: {trial["state"]}, attempts {trial["attempts"]}, error: {trial["error"]}");
        var trialId = trial["id"]!.GetValue<Guid>();

        // The dashboard: sign in through the one-time link, read pages, and fetch an image the store refuses to serve.
        long artifactId;
        await using (var conn = new NpgsqlConnection(_db.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO artifacts (trial_id, epoch, kind, axis, slice, key, created_at) VALUES (@t, 1, 'sr', 0, 0, @k, now()) RETURNING id", conn);
            cmd.Parameters.AddWithValue("t", trialId);
            cmd.Parameters.AddWithValue("k", $"experiments/{experimentId}/trials/{trialId}/images/epoch-1/sr-axis0-slice0.png");
            artifactId = (long)(await cmd.ExecuteScalarAsync())!;
        }
        using (var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true })
        using (var browser = new HttpClient(handler) { BaseAddress = new Uri(dashboardUrl), Timeout = TimeSpan.FromSeconds(60) })
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(browser, HttpMethod.Get, $"/signin?token={secrets["sign-in link token"]}&returnUrl=/", null)).StatusCode);
            foreach (var page in new[] { "/", "/workers", $"/experiments/{experimentId}", $"/trials/{trialId}", "/compare" })
                Assert.Equal(HttpStatusCode.OK, (await SendAsync(browser, HttpMethod.Get, page, null)).StatusCode);
            var image = await SendAsync(browser, HttpMethod.Get, $"/files/artifacts/{artifactId}", null);
            Assert.True(!image.IsSuccessStatusCode, $"the store should have refused the unknown keys: {_seen[^1].Where} {image.RequestMessage?.RequestUri} {_seen[^1].Text[..Math.Min(300, _seen[^1].Text.Length)]}");
            // Used twice: refused.
            using var again = new HttpClient { BaseAddress = new Uri(dashboardUrl) };
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(again, HttpMethod.Get, $"/signin?token={secrets["sign-in link token"]}", null)).StatusCode);
        }

        // A database that does not exist: the orchestrator must fail to start, naming the database but not the password;
        // the dashboard must refuse sign-in with a server error that does not echo the token.
        var missingName = "missing_" + Guid.NewGuid().ToString("N")[..8];
        var missingDb = new NpgsqlConnectionStringBuilder(lab) { Database = missingName }.ConnectionString;
        var broken = Start("orchestrator-baddb", orchestratorDll, ["silo"], new Dictionary<string, string>
        {
            ["ConnectionStrings__Lab"] = missingDb,
            ["Orchestrator__SiloPort"] = Poll.FreePort().ToString(),
            ["Orchestrator__GatewayPort"] = Poll.FreePort().ToString(),
            ["Orchestrator__BootstrapAdminToken"] = admin,
            ["Urls"] = $"http://127.0.0.1:{Poll.FreePort()}",
        });
        var badDashboardUrl = $"http://127.0.0.1:{Poll.FreePort()}";
        var badDashboard = Start("dashboard-baddb", dashboardDll, [], new Dictionary<string, string>(store)
        {
            ["ConnectionStrings__Lab"] = missingDb,
            ["Dashboard__OrchestratorUrl"] = api,
            ["Dashboard__Token"] = secrets["dashboard service token"],
            ["Urls"] = badDashboardUrl,
        });
        await Poll.HealthyAsync("dashboard-baddb", $"{badDashboardUrl}/health", TimeSpan.FromSeconds(120), Diagnostics, badDashboard);
        using (var bad = new HttpClient { BaseAddress = new Uri(badDashboardUrl), Timeout = TimeSpan.FromSeconds(60) })
        {
            var r = await SendAsync(bad, HttpMethod.Post, "/signin", null, new FormUrlEncodedContent([new("token", secrets["refused token"])]));
            Assert.True(r.StatusCode == HttpStatusCode.ServiceUnavailable, $"sign-in without a database answered {(int)r.StatusCode}: {_seen[^1].Text[..Math.Min(300, _seen[^1].Text.Length)]}");
            Assert.Contains("database cannot be reached", _seen[^1].Text);
        }
        await Poll.UntilAsync("the orchestrator without its database exited", TimeSpan.FromSeconds(120),
            () => Task.FromResult(broken.HasExited ? "exited" : null), Diagnostics);

        // Everything the lab stored that a user can read: errors, logs, transitions.
        await using (var conn = new NpgsqlConnection(_db.ConnectionString))
        {
            await conn.OpenAsync();
            foreach (var table in new[] { "trials", "trial_logs", "trial_transitions", "workers", "experiments" })
            {
                await using var cmd = new NpgsqlCommand($"SELECT coalesce(string_agg(row_to_json(t)::text, E'\\n'), '') FROM {table} t", conn);
                _seen.Add(($"table {table}", (string)(await cmd.ExecuteScalarAsync())!));
            }
        }
        var logs = _processes.Select(p => p.LogPath).ToList();
        foreach (var p in _processes) p.Dispose();
        _processes.Clear();
        foreach (var path in logs) _seen.Add(($"log {Path.GetFileName(path)}", await File.ReadAllTextAsync(path)));

        // Guards against a vacuous pass: the logs are verbose and saw the failures driven above.
        var all = string.Join('\n', _seen.Select(s => s.Text));
        Assert.True(_seen.Single(s => s.Where == "log orchestrator.log").Text.Length > 10_000, "the orchestrator log is suspiciously short");
        Assert.True(_seen.Single(s => s.Where == "log worker.log").Text.Length > 1_000, "the worker log is suspiciously short");
        Assert.Contains(missingName, _seen.Single(s => s.Where == "log orchestrator-baddb.log").Text);

        var leaks = new List<string>();
        foreach (var (name, secret) in secrets)
            foreach (var (where, text) in _seen)
            {
                var at = text.IndexOf(secret, StringComparison.Ordinal);
                if (at < 0) continue;
                var start = text.LastIndexOf('\n', at) + 1;
                var end = text.IndexOf('\n', at) is var e and >= 0 ? e : text.Length;
                var line = text[start..end].Trim();
                line = line[..Math.Min(line.Length, 300)].Replace(secret, $"<{name}>");
                leaks.Add($"{name} appeared in {where}: {line}");
            }
        Assert.True(leaks.Count == 0, "secrets leaked:\n" + string.Join("\n", leaks));
    }

    static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");
}
