using System.Diagnostics;
using Dggrn.Tests.Common;

namespace Dggrn.Orchestrator.Tests;

/// <summary>A `dggrn silo` child process (the built product), configured through environment variables.</summary>
public sealed class SiloProcess : IDisposable
{
    readonly Process _p;
    readonly string _log;

    SiloProcess(Process p, string log, Uri url, int siloPort)
    {
        _p = p;
        _log = log;
        Url = url;
        SiloPort = siloPort;
    }

    public Uri Url { get; }
    public int SiloPort { get; }
    public bool HasExited => _p.HasExited;

    /// <summary>Starts a silo with AdoNet clustering over <paramref name="connectionString"/>.</summary>
    public static SiloProcess Start(string connectionString, string adminToken, Dictionary<string, string>? extra = null)
    {
        var dll = Path.Combine(TestEnvironment.ProjectOutput("Dggrn.Cli"), "dggrn.dll");
        var http = OrchestratorServer.FreePort();
        var silo = OrchestratorServer.FreePort();
        var log = Path.Combine(Path.GetTempPath(), $"dggrn-silo-{silo}.log");
        var psi = new ProcessStartInfo("dotnet", [dll, "silo"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["ConnectionStrings__Lab"] = connectionString;
        psi.Environment["Urls"] = $"http://127.0.0.1:{http}";
        psi.Environment["Orchestrator__Clustering"] = "AdoNet";
        psi.Environment["Orchestrator__SiloPort"] = silo.ToString();
        psi.Environment["Orchestrator__GatewayPort"] = OrchestratorServer.FreePort().ToString();
        psi.Environment["Orchestrator__BootstrapAdminToken"] = adminToken;
        psi.Environment["Orchestrator__FastFailover"] = "true";
        psi.Environment["Orchestrator__ClusterId"] = "test-" + Path.GetFileName(connectionString.GetHashCode().ToString("x"));
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in extra ?? []) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        var writer = new StreamWriter(log) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new SiloProcess(p, log, new Uri($"http://127.0.0.1:{http}"), silo);
    }

    /// <summary>SIGKILL: no shutdown, no membership goodbye.</summary>
    public void KillHard() => _p.Kill(entireProcessTree: false);

    /// <summary>The last lines the process wrote (for failure messages).</summary>
    public string Tail() => File.Exists(_log) ? string.Join('\n', File.ReadLines(_log).TakeLast(30)) : "";

    public void Dispose()
    {
        if (!_p.HasExited) _p.Kill();
        _p.WaitForExit(10_000);
        _p.Dispose();
    }
}
