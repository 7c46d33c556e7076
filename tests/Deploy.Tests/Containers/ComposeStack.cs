using Dggrn.Deploy.Tests.Cluster;
using Xunit;

namespace Dggrn.Deploy.Tests.Containers;

/// <summary>
/// deploy/compose/compose.yaml started by deploy/podman/compose.sh under its own project name, with free ports on
/// 127.0.0.1 and a private env file of generated secrets; removed with its volumes afterwards.
/// </summary>
public sealed class ComposeStack : IAsyncLifetime
{
    readonly string _dir = Directory.CreateTempSubdirectory("dggrn-compose-").FullName;

    /// <summary>podman-compose project name (prefix of every container, volume and the network).</summary>
    public string Project { get; } = "dggrntest" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The environment compose.sh runs with.</summary>
    public Dictionary<string, string> Env { get; } = new();

    /// <summary>Published API port on 127.0.0.1 (the nginx proxy in front of both silos).</summary>
    public int ApiPort { get; } = Poll.FreePort();

    /// <summary>Published dashboard port on 127.0.0.1.</summary>
    public int DashboardPort { get; } = Poll.FreePort();

    /// <summary>The generated settings (secrets included), read back from the env file.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    /// <summary>Output of `compose.sh up`.</summary>
    public string UpOutput { get; private set; } = "";

    /// <summary>Seconds `compose.sh up` took, from no containers to all healthy.</summary>
    public double UpSeconds { get; private set; }

    public async Task InitializeAsync()
    {
        Shell.RequirePodman();
        Env["DGGRN_PODMAN_PROJECT"] = Project;
        Env["DGGRN_PODMAN_ENV"] = Path.Combine(_dir, "compose.env");
        Env["DGGRN_API_PORT"] = ApiPort.ToString();
        Env["DGGRN_DASHBOARD_PORT"] = DashboardPort.ToString();
        Env["DGGRN_S3_PORT"] = Poll.FreePort().ToString();
        Env["DGGRN_MINIO_CONSOLE_PORT"] = Poll.FreePort().ToString();
        var started = DateTime.UtcNow;
        var up = await ComposeAsync(TimeSpan.FromMinutes(20), "up");
        UpOutput = up.Output;
        up.OrThrow("deploy/podman/compose.sh up");
        UpSeconds = (DateTime.UtcNow - started).TotalSeconds;
        Settings = File.ReadAllLines(Env["DGGRN_PODMAN_ENV"]).Where(l => l.Contains('=') && !l.StartsWith('#'))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
    }

    public async Task DisposeAsync()
    {
        await ComposeAsync(TimeSpan.FromMinutes(5), "down", "-v");
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>deploy/podman/compose.sh ARGS with this stack's environment.</summary>
    public Task<ShellResult> ComposeAsync(TimeSpan timeout, params string[] args) => Shell.ScriptAsync("compose.sh", Env, timeout, args);

    /// <summary>Container name of a service's n-th replica, as podman-compose names it.</summary>
    public string Container(string service, int replica = 1) => $"{Project}_{service}_{replica}";

    /// <summary>The admin token the silos ensured at start.</summary>
    public string AdminToken => Settings["DGGRN_ADMIN_TOKEN"];

    /// <summary>The API on its published port, as admin.</summary>
    public LabApi Api() => new($"http://127.0.0.1:{ApiPort}", AdminToken);

    /// <summary>A query run by psql inside the PostgreSQL container (PostgreSQL is not published); rows split on '|'.</summary>
    public async Task<List<string[]>> SqlAsync(string sql)
    {
        var r = (await Shell.PodmanAsync("exec", Container("postgres"), "psql", "-U", "dggrn", "-d", "dggrn", "-v", "ON_ERROR_STOP=1",
            "-tA", "-F", "|", "-c", sql)).OrThrow("psql in the postgres container");
        return r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToList();
    }

    /// <summary>Whether the container's own health check passes now (podman runs it on demand: no systemd timers here).</summary>
    public async Task<bool> HealthyAsync(string container) => (await Shell.PodmanAsync("healthcheck", "run", container)).ExitCode == 0;

    /// <summary>`podman inspect -f FORMAT container`, trimmed.</summary>
    public static async Task<string> InspectAsync(string container, string format) =>
        (await Shell.PodmanAsync("inspect", "-f", format, container)).Output.Trim();
}
