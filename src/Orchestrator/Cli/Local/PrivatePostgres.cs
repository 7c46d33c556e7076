using Dggrn.Orchestrator.Cli;
using Npgsql;

namespace Dggrn.Orchestrator.Local;

/// <summary>
/// A private PostgreSQL server for local mode: initdb once into a data folder, started on a free 127.0.0.1 port,
/// reused on the next run, stopped on dispose. No systemd, no Docker.
/// </summary>
/// <remarks>
/// initdb refuses to run as root, so as root the server's programs run as the 'postgres' user (runuser) on a folder
/// it owns. Authentication is "trust" on 127.0.0.1 only, as Debian's own local socket is (docs/decisions.md, "CLI and local mode").
/// </remarks>
public sealed class PrivatePostgres(string dataDirectory, string database = "dggrn") : IAsyncDisposable
{
    static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    readonly bool _asRoot = OperatingSystem.IsLinux() && Environment.UserName == "root";
    string? _bin;

    /// <summary>Port the server listens on once started.</summary>
    public int Port { get; private set; }

    /// <summary>Connection string to the product database once started.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>True while this object has a server running.</summary>
    public bool Running { get; private set; }

    /// <summary>The newest installed server's bin folder (DGGRN_PG_BIN overrides); a clear error when none is installed.</summary>
    public static string FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("DGGRN_PG_BIN") is { Length: > 0 } own)
            return File.Exists(Path.Combine(own, "initdb"))
                ? own
                : throw new CliException($"DGGRN_PG_BIN={own} holds no initdb: point it at a PostgreSQL server's bin folder");
        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: Version.TryParse(Path.GetFileName(d), out var v) ? v
                    : int.TryParse(Path.GetFileName(d), out var major) ? new Version(major, 0) : new Version(0, 0)))
                .Where(x => File.Exists(Path.Combine(x.Dir, "initdb")) && File.Exists(Path.Combine(x.Dir, "pg_ctl")))
                .OrderByDescending(x => x.Version).Select(x => x.Dir).FirstOrDefault()
            : null;
        return found ?? throw new CliException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin: install them with " +
            "`apt-get install -y postgresql` (Debian/Ubuntu), or set DGGRN_PG_BIN to the folder that holds them");
    }

    /// <summary>Initialises the data folder when new, then starts the server and ensures the product database exists.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _bin = FindBinaries();
        Directory.CreateDirectory(dataDirectory);
        if (_asRoot) await Checked("chown", ["-R", "postgres", dataDirectory], ct);
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
            await Pg("initdb", ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"], ct);
        // A launcher killed with SIGKILL leaves its server running: stop it so this run owns a fresh one on a known port.
        if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
            await RunPg("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"], ct);
        Port = FreePort.Next();
        await Pg("pg_ctl", ["-D", dataDirectory, "-w", "-t", "60", "-l", Path.Combine(dataDirectory, "server.log"),
            "-o", $"-h 127.0.0.1 -p {Port} -k /tmp -c max_connections=200", "start"], ct);
        Running = true;
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = "postgres", Database = "postgres", Pooling = false,
        }.ConnectionString;
        await using (var c = new NpgsqlConnection(admin))
        {
            await c.OpenAsync(ct);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", c);
            exists.Parameters.AddWithValue("n", database);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", c);
                await create.ExecuteNonQueryAsync(ct);
            }
        }
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database,
        }.ConnectionString;
    }

    /// <summary>Stops the server (fast shutdown: open sessions are rolled back).</summary>
    public async Task StopAsync()
    {
        if (!Running || _bin is null) return;
        NpgsqlConnection.ClearAllPools();
        await RunPg("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], CancellationToken.None);
        Running = false;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();

    async Task Pg(string program, string[] args, CancellationToken ct)
    {
        var (code, output) = await RunPg(program, args, ct);
        if (code != 0)
        {
            var log = Path.Combine(dataDirectory, "server.log");
            var tail = File.Exists(log) ? string.Join(" | ", File.ReadLines(log).TakeLast(3)) : "";
            throw new CliException($"{program} failed (exit {code}): {OneLine(output)}{(tail.Length > 0 ? $"; server.log: {tail}" : "")}");
        }
    }

    Task<(int, string)> RunPg(string program, string[] args, CancellationToken ct)
    {
        var exe = Path.Combine(_bin!, program);
        return _asRoot
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", exe, .. args], CommandTimeout, ct)
            : ProcessRunner.RunAsync(exe, args, CommandTimeout, ct);
    }

    static async Task Checked(string file, string[] args, CancellationToken ct)
    {
        var (code, output) = await ProcessRunner.RunAsync(file, args, CommandTimeout, ct);
        if (code != 0) throw new CliException($"{file} {string.Join(' ', args)} failed (exit {code}): {OneLine(output)}");
    }

    static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
