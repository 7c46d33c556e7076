using System.Diagnostics;

namespace Dggrn.Deploy.Tests.Cluster;

/// <summary>
/// One product process (`dotnet X.dll ...`) as a container would run it: configuration only through environment
/// variables, output to a log file. <see cref="KillHard"/> is SIGKILL of that one process (its children notice on
/// their own); disposing kills the whole tree.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    readonly Process _process;
    readonly StreamWriter _log;

    /// <summary>Name used in messages.</summary>
    public string Name { get; }

    /// <summary>Where its stdout and stderr go.</summary>
    public string LogPath { get; }

    /// <summary>Operating-system process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => _process.HasExited;

    ServiceProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name; _process = process; _log = log; LogPath = logPath;
    }

    /// <summary>Starts `dotnet <paramref name="dll"/> <paramref name="args"/>` with the given environment added.</summary>
    public static ServiceProcess Start(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string> env, string logDir)
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"{name}: {dll} is missing: build the product (Release) first", dll);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!, UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Nothing from the test runner's own configuration leaks in; the process sees what a container would.
        foreach (var key in psi.Environment.Keys.Where(k => k.Contains("__") || k.StartsWith("ASPNETCORE_") || k.StartsWith("DGGRN_")).ToList())
            psi.Environment.Remove(key);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var logPath = Path.Combine(logDir, name + ".log");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new ServiceProcess(name, p, log, logPath);
    }

    /// <summary>SIGKILL to this process only, as `kill -9 PID` (a crashed machine or an OOM kill).</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    /// <summary>The last lines of its log, for failure messages.</summary>
    public string Tail(int lines = 30)
    {
        try
        {
            using var fs = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(fs);
            var all = reader.ReadToEnd().Split('\n');
            return $"--- {Name} ({LogPath}) ---\n" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e) { return $"--- {Name}: log unreadable: {e.Message}"; }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); _process.WaitForExit(10_000); }
        catch (InvalidOperationException) { }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
