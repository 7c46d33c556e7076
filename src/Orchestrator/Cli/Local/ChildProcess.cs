using System.Diagnostics;

namespace Dggrn.Orchestrator.Local;

/// <summary>
/// One child of the launcher (`dotnet X.dll`): environment on top of the launcher's own, output appended to a log
/// file, graceful stop with SIGTERM and SIGKILL after a bound.
/// </summary>
public sealed class ChildProcess(string name, string dll, IReadOnlyDictionary<string, string?> environment, string logPath) : IAsyncDisposable
{
    const string SetSid = "/usr/bin/setsid";
    Process? _process;
    StreamWriter? _log;

    /// <summary>Name used in messages ("worker-1", "dashboard").</summary>
    public string Name { get; } = name;

    /// <summary>Log file of the child's stdout and stderr.</summary>
    public string LogPath { get; } = logPath;

    /// <summary>Process id while running.</summary>
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Completes when the process exits, with its exit code.</summary>
    public Task<int> Exited { get; private set; } = Task.FromResult(0);

    /// <summary>True once <see cref="StopAsync"/> began, so an exit is expected.</summary>
    public bool Stopping { get; private set; }

    /// <summary>Starts (or restarts) the process.</summary>
    public void Start()
    {
        if (!File.Exists(dll))
            throw new Cli.CliException($"{Name}: {dll} is missing; build the product first (./dggrn builds it, or dotnet build build/Product.slnf)");
        Stopping = false;
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        _log ??= new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        _log.WriteLine($"--- {DateTimeOffset.Now:O} starting {Name}: dotnet {dll}");
        // A session of its own (setsid): Ctrl+C in the terminal reaches only the launcher, which then stops the
        // children in order (workers drain while the orchestrator still accepts their hand-backs).
        var psi = new ProcessStartInfo(File.Exists(SetSid) ? SetSid : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        if (File.Exists(SetSid)) psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(dll);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        p.OutputDataReceived += (_, e) => Write(e.Data);
        p.ErrorDataReceived += (_, e) => Write(e.Data);
        p.Start();
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        Exited = WaitAsync(p);
    }

    static async Task<int> WaitAsync(Process p)
    {
        await p.WaitForExitAsync();
        p.WaitForExit(); // drains the asynchronous output readers
        return p.ExitCode;
    }

    void Write(string? line)
    {
        if (line is null || _log is null) return;
        lock (_log) _log.WriteLine(line);
    }

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then SIGKILL the whole tree.</summary>
    /// <returns>True when it stopped within the grace period.</returns>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        Stopping = true;
        if (_process is not { } p || p.HasExited) return true;
        Signals.Terminate(p.Id);
        if (await Task.WhenAny(Exited, Task.Delay(grace)) == Exited) return true;
        try
        {
            p.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited between the check and the kill
        }
        await Exited;
        return false;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process?.Dispose();
        if (_log is not null) await _log.DisposeAsync();
    }
}
