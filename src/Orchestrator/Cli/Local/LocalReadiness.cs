using System.Diagnostics;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Cli;

namespace Dggrn.Orchestrator.Local;

/// <summary>Start-up checks of local mode: one launcher per state directory, and waiting for each component to be ready.</summary>
public static class LocalReadiness
{
    /// <summary>Fails when another launcher that is still alive and healthy wrote the credentials file.</summary>
    public static async Task RefuseSecondLauncherAsync(LocalCredentials credentials)
    {
        if (credentials.LauncherPid is not { } pid || credentials.Url is null || pid == Environment.ProcessId) return;
        try
        {
            using var p = Process.GetProcessById(pid);
            if (p.HasExited) return;
        }
        catch (ArgumentException)
        {
            return;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var r = await http.GetAsync(new Uri(new Uri(credentials.Url), "health"));
            if (r.IsSuccessStatusCode)
                throw new CliException($"local mode is already running from this state directory (process {pid}, {credentials.Url}); stop it first");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // a stale file: the launcher that wrote it is gone
        }
    }

    /// <summary>Polls a /health URL until it answers 200; fails early when <paramref name="child"/> exits.</summary>
    public static async Task WaitHealthyAsync(string what, Uri health, TimeSpan timeout, CancellationToken ct, ChildProcess? child = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTimeOffset.UtcNow + timeout;
        string last = "no answer yet";
        while (DateTimeOffset.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (child is { Exited.IsCompleted: true })
                throw new CliException($"the {what} exited with code {child.Exited.Result} while starting; see {child.LogPath}");
            try
            {
                using var r = await http.GetAsync(health, ct);
                if (r.IsSuccessStatusCode) return;
                last = $"HTTP {(int)r.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                last = e.Message;
            }
            await Task.Delay(250, ct);
        }
        throw new CliException($"the {what} did not answer {health} within {timeout.TotalSeconds:0} s ({last})" +
                               (child is null ? "" : $"; see {child.LogPath}"));
    }

    /// <summary>Polls GET /api/workers until every started worker process has registered (matched by process id).</summary>
    public static async Task WaitWorkersAsync(ApiClient api, IReadOnlyList<ChildProcess> workers, TimeSpan timeout, string logs, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (workers.FirstOrDefault(w => w.Exited.IsCompleted) is { } dead)
                throw new CliException($"{dead.Name} exited with code {dead.Exited.Result} while starting; see {dead.LogPath}");
            var pids = workers.Select(w => w.Pid).OfType<int>().ToHashSet();
            var registered = await api.GetAsync<WorkerSummary[]>("api/workers", ct);
            if (registered.Count(r => pids.Contains(r.Pid)) >= workers.Count) return;
            await Task.Delay(250, ct);
        }
        throw new CliException($"the workers did not register within {timeout.TotalSeconds:0} s; see {logs}/worker-*.log");
    }
}
