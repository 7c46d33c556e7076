using System.Diagnostics;
using System.Text.RegularExpressions;
using Dggrn.Tests.Common;

namespace Dggrn.Worker.Tests.Fixtures;

/// <summary>A real `dggrn-worker` process (the built executable), its output captured.</summary>
public sealed partial class WorkerProcess : IDisposable
{
    readonly Process _process;
    readonly List<string> _lines = [];

    public WorkerProcess(Uri orchestrator, string token, string storeRoot, string scratch, IDictionary<string, string>? extra = null)
    {
        var dll = Path.Combine(TestEnvironment.ProjectOutput("Dggrn.Worker", ridSpecific: true), "dggrn-worker.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(dll);
        psi.Environment["Worker__OrchestratorUrl"] = orchestrator.ToString();
        psi.Environment["Worker__Token"] = token;
        psi.Environment["Worker__Devices"] = "cpu";
        psi.Environment["Worker__Threads"] = "1";
        psi.Environment["Worker__ScratchDirectory"] = scratch;
        psi.Environment["CheckpointStore__Kind"] = "Local";
        psi.Environment["CheckpointStore__LocalPath"] = storeRoot;
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add("ERR " + e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Output { get { lock (_lines) return string.Join("\n", _lines); } }

    /// <summary>Pids of the trial children this worker started (from its log).</summary>
    public int[] ChildPids { get { lock (_lines) return [.. _lines.Select(l => ChildPid().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value))]; } }

    public void Signal(string signal) => Process.Start("kill", ["-" + signal, Pid.ToString()])!.WaitForExit();

    public static void SignalPid(int pid, string signal) => Process.Start("kill", ["-" + signal, pid.ToString()])!.WaitForExit();

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        foreach (var pid in ChildPids)
        {
            try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"started child pid (\d+)")]
    private static partial Regex ChildPid();
}
