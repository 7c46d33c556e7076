using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Cli;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Dggrn.Orchestrator.Local;

/// <summary>
/// Local mode: a private PostgreSQL, the orchestrator hosted in this process (localhost clustering), N worker
/// processes on the CPU and the dashboard, all on 127.0.0.1; runs until its stop token fires, then stops
/// everything it started, workers first so they can hand their leases back.
/// </summary>
public sealed class LocalLauncher(IConfiguration configuration, LocalOptions options, StateDirectory state, TextWriter output, TextWriter log)
{
    readonly List<ChildProcess> _workers = [];
    ChildProcess? _dashboard;
    IHost? _host;
    PrivatePostgres? _postgres;

    TimeSpan Startup => TimeSpan.FromSeconds(options.StartupTimeoutSeconds);

    /// <summary>Starts everything, optionally runs <paramref name="afterStart"/>, supervises until stopped.</summary>
    /// <returns>0 after a requested stop; 1 when a component failed and the launcher stopped because of it.</returns>
    public async Task<int> RunAsync(Func<ApiClient, CancellationToken, Task>? afterStart, CancellationToken stop)
    {
        state.Create();
        var credentials = LocalCredentials.LoadOrCreate(state);
        await LocalReadiness.RefuseSecondLauncherAsync(credentials);
        try
        {
            using var api = await StartAsync(credentials, stop);
            if (afterStart is not null) await afterStart(api, stop);
            return await SuperviseAsync(api, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            await ShutdownAsync(credentials);
        }
    }

    async Task<ApiClient> StartAsync(LocalCredentials credentials, CancellationToken ct)
    {
        log.WriteLine($"dggrn: local mode; state in {state.Root}, logs in {state.Logs}");
        _postgres = new PrivatePostgres(state.Postgres);
        await _postgres.StartAsync(ct);
        log.WriteLine($"dggrn: PostgreSQL on 127.0.0.1:{_postgres.Port} (data in {state.Postgres})");

        var url = $"http://127.0.0.1:{FreePort.PreferOrNext(options.OrchestratorPort)}";
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Lab"] = _postgres.ConnectionString,
            ["Orchestrator:Clustering"] = "Localhost",
            ["Orchestrator:SiloPort"] = FreePort.Next().ToString(),
            ["Orchestrator:GatewayPort"] = FreePort.Next().ToString(),
            ["Orchestrator:BootstrapAdminToken"] = credentials.AdminToken,
            ["Urls"] = url,
            // The launcher's console is for the user; the in-process host only reports problems there.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            // The migrator's first probe of a fresh database fails by design (no history table yet); failures that
            // matter surface as exceptions. Orleans' CPU-starvation watchdog is noise on a small shared machine.
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "None",
            ["Logging:LogLevel:Orleans.Runtime.Watchdog"] = "Error",
        };
        foreach (var (k, v) in CheckpointSettings()) settings[k.Replace("__", ":")] = v;
        _host = HostedOrchestrator.Create([], settings);
        await _host.StartAsync(ct);
        var endpoint = new ApiEndpoint(new Uri(url), credentials.AdminToken);
        await LocalReadiness.WaitHealthyAsync("orchestrator", new Uri(endpoint.Url, "health"), Startup, ct);
        var saved = credentials with { Url = url, ConnectionString = _postgres.ConnectionString, LauncherPid = Environment.ProcessId };
        saved.Save(state);
        log.WriteLine($"dggrn: orchestrator on {url} (credentials for the CLI in {state.CredentialsFile})");

        var api = new ApiClient(endpoint);
        var workerToken = await api.PostAsync<CreateTokenResponse>("api/tokens", new CreateTokenRequest("local-workers", "worker"), ct);
        var threads = options.WorkerThreads > 0 ? options.WorkerThreads : Math.Max(1, Environment.ProcessorCount / Math.Max(1, options.Workers));
        for (var i = 1; i <= options.Workers; i++)
        {
            var env = new Dictionary<string, string?>(CheckpointSettings())
            {
                ["Worker__OrchestratorUrl"] = url,
                ["Worker__Token"] = workerToken.Token,
                ["Worker__Devices"] = "cpu",
                ["Worker__Threads"] = threads.ToString(),
                ["Worker__ScratchDirectory"] = Path.Combine(state.Scratch, $"worker-{i}"),
            };
            var w = new ChildProcess($"worker-{i}", ProductPaths.WorkerDll, env, Path.Combine(state.Logs, $"worker-{i}.log"));
            _workers.Add(w);
            w.Start();
        }
        await LocalReadiness.WaitWorkersAsync(api, _workers, Startup, state.Logs, ct);
        log.WriteLine($"dggrn: {options.Workers} worker(s) registered, {threads} thread(s) each");

        var dashboardUrl = $"http://127.0.0.1:{FreePort.PreferOrNext(options.DashboardPort)}";
        var dashboardToken = await api.PostAsync<CreateTokenResponse>("api/tokens", new CreateTokenRequest("local-dashboard", "admin"), ct);
        var denv = new Dictionary<string, string?>(CheckpointSettings())
        {
            ["Urls"] = dashboardUrl,
            ["ConnectionStrings__Lab"] = _postgres.ConnectionString,
            ["Dashboard__OrchestratorUrl"] = url,
            ["Dashboard__Token"] = dashboardToken.Token,
        };
        _dashboard = new ChildProcess("dashboard", ProductPaths.DashboardDll, denv, Path.Combine(state.Logs, "dashboard.log"));
        _dashboard.Start();
        await LocalReadiness.WaitHealthyAsync("dashboard", new Uri(dashboardUrl + "/health"), Startup, ct, _dashboard);
        (saved with { DashboardUrl = dashboardUrl }).Save(state);

        var signIn = await api.PostAsync<CreateTokenResponse>("api/tokens",
            new CreateTokenRequest("local-sign-in", "admin", SingleUse: true, ExpiresInSeconds: options.SignInTokenHours * 3600), ct);
        output.WriteLine($"Dashboard: {dashboardUrl}/signin?token={Uri.EscapeDataString(signIn.Token)}");
        output.Flush();
        log.WriteLine("dggrn: running; press Ctrl+C to stop everything");
        return api;
    }

    /// <summary>Checkpoint store settings for children: S3 when the user configured it, else the local folder.</summary>
    Dictionary<string, string?> CheckpointSettings()
    {
        var section = configuration.GetSection("CheckpointStore");
        var result = new Dictionary<string, string?>();
        if (string.Equals(section["Kind"], "S3", StringComparison.OrdinalIgnoreCase))
            foreach (var c in section.GetChildren()) result[$"CheckpointStore__{c.Key}"] = c.Value;
        else
        {
            result["CheckpointStore__Kind"] = "Local";
            result["CheckpointStore__LocalPath"] = state.Checkpoints;
        }
        return result;
    }

    async Task<int> SuperviseAsync(ApiClient api, CancellationToken stop)
    {
        var restarts = _workers.ToDictionary(w => w, _ => new Queue<DateTimeOffset>());
        var stopped = new TaskCompletionSource();
        await using var _ = stop.Register(() => stopped.TrySetResult());
        while (!stop.IsCancellationRequested)
        {
            var watched = _workers.Select(w => (Task)w.Exited).Append(_dashboard!.Exited).Append(stopped.Task).ToArray();
            await Task.WhenAny(watched);
            if (stop.IsCancellationRequested) break;
            if (_dashboard.Exited.IsCompleted)
            {
                log.WriteLine($"dggrn: the dashboard exited with code {_dashboard.Exited.Result} (see {_dashboard.LogPath}); stopping");
                return 1;
            }
            foreach (var w in _workers.Where(w => w.Exited.IsCompleted))
            {
                var window = restarts[w];
                while (window.Count > 0 && window.Peek() < DateTimeOffset.UtcNow.AddMinutes(-10)) window.Dequeue();
                if (window.Count >= options.MaxWorkerRestarts)
                {
                    log.WriteLine($"dggrn: {w.Name} exited with code {w.Exited.Result} again ({window.Count} restarts in 10 minutes; see {w.LogPath}); stopping");
                    return 1;
                }
                window.Enqueue(DateTimeOffset.UtcNow);
                log.WriteLine($"dggrn: {w.Name} exited unexpectedly with code {w.Exited.Result} (see {w.LogPath}); restarting it");
                w.Start();
            }
        }
        return 0;
    }

    async Task ShutdownAsync(LocalCredentials credentials)
    {
        log.WriteLine("dggrn: stopping (workers hand their trials back first)");
        var grace = TimeSpan.FromSeconds(options.WorkerStopSeconds);
        var results = await Task.WhenAll(_workers.Select(async w => (w, Clean: await w.StopAsync(grace))));
        foreach (var (w, clean) in results.Where(r => !r.Clean))
            log.WriteLine($"dggrn: {w.Name} did not stop within {grace.TotalSeconds:0} s and was killed");
        foreach (var w in _workers) await w.DisposeAsync();
        if (_dashboard is not null) await _dashboard.DisposeAsync();
        if (_host is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _host.StopAsync(cts.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or AggregateException)
            {
                log.WriteLine($"dggrn: the orchestrator did not stop cleanly: {e.Message}");
            }
            _host.Dispose();
        }
        if (_postgres is not null) await _postgres.DisposeAsync();
        // The CLI must not find a URL of a stopped orchestrator; the admin token stays for the next run.
        if (File.Exists(state.CredentialsFile))
            (credentials with { Url = null, ConnectionString = null, DashboardUrl = null, LauncherPid = null }).Save(state);
        log.WriteLine("dggrn: stopped");
    }
}
