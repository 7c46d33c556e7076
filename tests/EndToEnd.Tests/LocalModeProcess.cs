using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Dggrn.EndToEnd.Tests;

/// <summary>One real `dggrn up` / `dggrn demo` child process on a state directory, with its output captured.</summary>
public sealed class LocalModeProcess : IDisposable
{
    readonly StringBuilder _stdout = new();
    readonly StringBuilder _stderr = new();
    readonly Process _process;

    LocalModeProcess(Process process) => _process = process;

    /// <summary>The one-time dashboard sign-in URL the launcher printed.</summary>
    public string SignInUrl { get; private set; } = "";

    /// <summary>Orchestrator base URL from the credentials file.</summary>
    public string OrchestratorUrl { get; private set; } = "";

    /// <summary>Dashboard base URL from the credentials file.</summary>
    public string DashboardUrl { get; private set; } = "";

    /// <summary>Private PostgreSQL connection string from the credentials file.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Launcher process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Everything the launcher printed so far.</summary>
    public string StdOut { get { lock (_stdout) return _stdout.ToString(); } }

    /// <summary>Everything the launcher wrote to stderr so far.</summary>
    public string StdErr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Both outputs, for failure messages.</summary>
    public string Output => $"--- launcher stdout\n{StdOut}\n--- launcher stderr\n{StdErr}";

    /// <summary>Starts `dggrn COMMAND args` and waits until it printed the dashboard URL.</summary>
    public static async Task<LocalModeProcess> StartAsync(string stateDir, TimeSpan timeout, params string[] args)
    {
        var psi = CliRun.Start("dotnet", [CliRun.Dll, .. args], stateDir);
        psi.Environment["Local__DashboardPort"] = "0"; // any free port: tests must not depend on 5080/5090 being free
        psi.Environment["Local__OrchestratorPort"] = "0";
        var lm = new LocalModeProcess(new Process { StartInfo = psi });
        lm._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lm._stdout) lm._stdout.AppendLine(e.Data); };
        lm._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lm._stderr) lm._stderr.AppendLine(e.Data); };
        lm._process.Start();
        lm._process.StandardInput.Close();
        lm._process.BeginOutputReadLine();
        lm._process.BeginErrorReadLine();
        try
        {
            var line = await lm.WaitForLineAsync("Dashboard: ", timeout);
            lm.SignInUrl = line["Dashboard: ".Length..].Trim();
            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(stateDir, "credentials.json")));
            lm.OrchestratorUrl = doc.RootElement.GetProperty("url").GetString()!;
            lm.DashboardUrl = doc.RootElement.GetProperty("dashboardUrl").GetString()!;
            lm.ConnectionString = doc.RootElement.GetProperty("connectionString").GetString()!;
            return lm;
        }
        catch
        {
            await lm.StopAsync();
            lm.Dispose();
            throw;
        }
    }

    /// <summary>Waits for a stdout line starting with <paramref name="prefix"/>; fails when the launcher exits first.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var line = StdOut.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null) return line.TrimEnd('\r');
            if (_process.HasExited) throw new InvalidOperationException($"the launcher exited with {_process.ExitCode} before printing '{prefix}'\n{Output}");
            await Task.Delay(200);
        }
        throw new TimeoutException($"the launcher printed no '{prefix}' line within {timeout}\n{Output}");
    }

    /// <summary>SIGTERM and wait; returns the exit code, or null when it had to be killed.</summary>
    public async Task<int?> StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited) return _process.ExitCode;
        kill(_process.Id, 15);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit();
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            return null;
        }
    }

    /// <summary>Stops a PostgreSQL server the launcher left behind (only after a failure) so no test leaks a server.</summary>
    public static bool StopLeftoverPostgres(string stateDir)
    {
        var dataDir = Path.Combine(stateDir, "pg");
        if (!File.Exists(Path.Combine(dataDir, "postmaster.pid"))) return false;
        var pgCtl = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pg_ctl")).Where(File.Exists).Max();
        if (pgCtl is null) return true;
        var asRoot = Environment.UserName == "root";
        var psi = new ProcessStartInfo(asRoot ? "runuser" : pgCtl) { UseShellExecute = false };
        foreach (var a in (string[])(asRoot ? ["-u", "postgres", "--", pgCtl] : [])) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "-D", dataDir, "-m", "immediate", "-w", "stop" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit(60_000);
        return true;
    }

    /// <summary>Sends a signal to any process (SIGKILL = 9, SIGTERM = 15).</summary>
    public static void Signal(int pid, int signal) => kill(pid, signal);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
}
