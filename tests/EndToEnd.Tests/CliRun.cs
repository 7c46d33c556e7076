using System.Diagnostics;
using System.Text;
using Dggrn.Tests.Common;

namespace Dggrn.EndToEnd.Tests;

/// <summary>What a finished CLI invocation printed and returned.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Non-empty stderr lines.</summary>
    public string[] ErrorLines => StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <inheritdoc />
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>Runs the real `dggrn` executable (the built dll, or the repository's ./dggrn script) as a child process.</summary>
public static class CliRun
{
    /// <summary>The built CLI.</summary>
    public static string Dll => Path.Combine(TestEnvironment.ProjectOutput("Dggrn.Cli"), "dggrn.dll");

    /// <summary>Build configuration the tests run against (debug|release).</summary>
    public static string Configuration => Path.GetFileName(TestEnvironment.ProjectOutput("Dggrn.Cli"));

    /// <summary>Runs `dotnet dggrn.dll args` with the given state directory.</summary>
    public static Task<CliResult> DllAsync(string stateDir, TimeSpan timeout, params string[] args) =>
        RunAsync(Start("dotnet", [Dll, .. args], stateDir), timeout);

    /// <summary>Runs the repository's ./dggrn script against the tests' build (DGGRN_ARTIFACTS, DGGRN_CONFIGURATION).</summary>
    public static Task<CliResult> ScriptAsync(string stateDir, TimeSpan timeout, params string[] args)
    {
        // The script rebuilds when sources are newer than its stamp. The test project's build just produced these outputs,
        // so mark them current: the script must run the build under test, not start a second one on a shared machine.
        var stamp = Path.Combine(TestEnvironment.ArtifactsPath, ".dggrn-build-stamp");
        File.WriteAllText(stamp, "");
        File.SetLastWriteTimeUtc(stamp, DateTime.UtcNow);
        var psi = Start("bash", [Path.Combine(TestEnvironment.RepoRoot, "dggrn"), .. args], stateDir);
        psi.Environment["DGGRN_ARTIFACTS"] = TestEnvironment.ArtifactsPath;
        psi.Environment["DGGRN_CONFIGURATION"] = Configuration;
        return RunAsync(psi, timeout);
    }

    /// <summary>A start description with the state directory set and nothing inherited that would point elsewhere.</summary>
    public static ProcessStartInfo Start(string file, string[] args, string stateDir)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DGGRN_STATE_DIR"] = stateDir;
        psi.Environment.Remove("DGGRN_URL");
        psi.Environment.Remove("DGGRN_TOKEN");
        return psi;
    }

    static async Task<CliResult> RunAsync(ProcessStartInfo psi, TimeSpan timeout)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.Start();
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} ran longer than {timeout}:\n{stdout}\n{stderr}");
        }
        p.WaitForExit();
        lock (stdout) lock (stderr) return new CliResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
