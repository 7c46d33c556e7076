using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Dggrn.EndToEnd.Tests;

/// <summary>
/// `dggrn up` running as a real child process in a private state directory (its own PostgreSQL, orchestrator,
/// worker and dashboard), plus one smoke grid submitted through the real ./dggrn script, shared by a test class.
/// Everything, the PostgreSQL server included, is stopped at the end even when a test fails.
/// </summary>
public sealed class LocalModeFixture : IAsyncLifetime
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    readonly StringBuilder _stdout = new();
    readonly StringBuilder _stderr = new();
    readonly SemaphoreSlim _smokeGate = new(1, 1);
    Process? _launcher;
    CliResult? _smoke;

    /// <summary>The state directory (temporary).</summary>
    public string StateDir { get; } = Path.Combine(Path.GetTempPath(), $"dggrn-e2e-{Guid.NewGuid():N}");

    /// <summary>The one-time dashboard sign-in URL the launcher printed.</summary>
    public string SignInUrl { get; private set; } = "";

    /// <summary>Orchestrator base URL from the credentials file.</summary>
    public string OrchestratorUrl { get; private set; } = "";

    /// <summary>Dashboard base URL from the credentials file.</summary>
    public string DashboardUrl { get; private set; } = "";

    /// <summary>Private PostgreSQL connection string from the credentials file.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Everything the launcher printed so far (for failure messages).</summary>
    public string LauncherOutput
    {
        get
        {
            lock (_stdout) lock (_stderr) return $"--- launcher stdout\n{_stdout}\n--- launcher stderr\n{_stderr}";
        }
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(StateDir);
        File.SetUnixFileMode(StateDir, (UnixFileMode)0b111_101_101);
        var psi = CliRun.Start("dotnet", [CliRun.Dll, "up", "--workers", "1"], StateDir);
        psi.Environment["Local__DashboardPort"] = "0"; // any free port: tests must not depend on 5090 being free
        psi.Environment["Local__OrchestratorPort"] = "0";
        _launcher = new Process { StartInfo = psi };
        _launcher.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        _launcher.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _launcher.Start();
        _launcher.StandardInput.Close();
        _launcher.BeginOutputReadLine();
        _launcher.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            string? line;
            lock (_stdout) line = _stdout.ToString().Split('\n').FirstOrDefault(l => l.StartsWith("Dashboard: ", StringComparison.Ordinal));
            if (line is not null)
            {
                SignInUrl = line["Dashboard: ".Length..].Trim();
                break;
            }
            if (_launcher.HasExited) throw new InvalidOperationException($"`dggrn up` exited with {_launcher.ExitCode} while starting\n{LauncherOutput}");
            await Task.Delay(200);
        }
        if (SignInUrl.Length == 0) throw new TimeoutException($"`dggrn up` printed no dashboard URL within {StartTimeout}\n{LauncherOutput}");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(StateDir, "credentials.json")));
        OrchestratorUrl = doc.RootElement.GetProperty("url").GetString()!;
        DashboardUrl = doc.RootElement.GetProperty("dashboardUrl").GetString()!;
        ConnectionString = doc.RootElement.GetProperty("connectionString").GetString()!;
    }

    /// <summary>`./dggrn submit --preset smoke --wait` through the real script, run once per fixture.</summary>
    public async Task<CliResult> SmokeAsync()
    {
        await _smokeGate.WaitAsync();
        try
        {
            return _smoke ??= await CliRun.ScriptAsync(StateDir, TimeSpan.FromMinutes(6), "submit", "--preset", "smoke", "--wait");
        }
        finally
        {
            _smokeGate.Release();
        }
    }

    /// <summary>The smoke experiment's id (fails when the smoke run did not print one).</summary>
    public async Task<Guid> SmokeIdAsync()
    {
        var r = await SmokeAsync();
        var first = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        Assert.True(Guid.TryParse(first, out var id), $"submit printed no experiment id first\n{r}\n{LauncherOutput}");
        return id;
    }

    /// <summary>Runs the CLI against this local mode.</summary>
    public Task<CliResult> CliAsync(params string[] args) => CliRun.DllAsync(StateDir, TimeSpan.FromMinutes(2), args);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        var problems = new List<string>();
        if (_launcher is { HasExited: false })
        {
            kill(_launcher.Id, 15); // SIGTERM: the launcher stops workers, dashboard, host and PostgreSQL
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await _launcher.WaitForExitAsync(cts.Token);
                if (_launcher.ExitCode != 0) problems.Add($"`dggrn up` exited with {_launcher.ExitCode} after SIGTERM");
            }
            catch (OperationCanceledException)
            {
                _launcher.Kill(entireProcessTree: true);
                problems.Add("`dggrn up` did not stop within 120 s of SIGTERM and was killed");
            }
        }
        var pg = Path.Combine(StateDir, "pg");
        if (File.Exists(Path.Combine(pg, "postmaster.pid")))
        {
            problems.Add("the private PostgreSQL was still running after the launcher exited");
            StopPostgres(pg);
        }
        _launcher?.Dispose();
        if (problems.Count == 0) Directory.Delete(StateDir, recursive: true);
        if (problems.Count > 0) throw new InvalidOperationException(string.Join("; ", problems) + $" (state kept in {StateDir})\n{LauncherOutput}");
    }

    static void StopPostgres(string dataDir)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pg_ctl")).Where(File.Exists).Max();
        if (bin is null) return;
        var asRoot = Environment.UserName == "root";
        var psi = new ProcessStartInfo(asRoot ? "runuser" : bin) { UseShellExecute = false };
        foreach (var a in (string[])(asRoot ? ["-u", "postgres", "--", bin] : [])) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "-D", dataDir, "-m", "immediate", "-w", "stop" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit(60_000);
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
}
