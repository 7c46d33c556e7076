using System.Diagnostics;
using System.Text;

namespace Dggrn.Deploy.Tests.Containers;

/// <summary>The outcome of one command: exit code and the combined output.</summary>
public sealed record ShellResult(int ExitCode, string Output)
{
    /// <summary>Throws with the command's output unless it exited 0.</summary>
    public ShellResult OrThrow(string what) =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"{what} exited {ExitCode}:\n{Tail(Output, 60)}");

    static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));
}

/// <summary>Runs podman and the deploy/podman scripts, as a person at the terminal would.</summary>
public static class Shell
{
    /// <summary>Runs <paramref name="file"/> with arguments and extra environment; kills it at the timeout.</summary>
    public static async Task<ShellResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? env = null, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null,
            UseShellExecute = false, WorkingDirectory = TestEnvironmentRoot,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdin is not null) { await p.StandardInput.WriteAsync(stdin); p.StandardInput.Close(); }
        using var cts = new CancellationTokenSource(timeout);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} ran past {timeout.TotalSeconds:0} s:\n{output}");
        }
        p.WaitForExit();   // drain the output events
        lock (output) return new ShellResult(p.ExitCode, output.ToString());
    }

    /// <summary>`podman ARGS` (30 s unless told).</summary>
    public static Task<ShellResult> PodmanAsync(params string[] args) => RunAsync("podman", args, TimeSpan.FromSeconds(60));

    /// <summary>`bash deploy/podman/SCRIPT ARGS` with the given environment.</summary>
    public static Task<ShellResult> ScriptAsync(string script, IReadOnlyDictionary<string, string> env, TimeSpan timeout, params string[] args) =>
        RunAsync("bash", [System.IO.Path.Combine(TestEnvironmentRoot, "deploy/podman", script), .. args], timeout, env);

    /// <summary>Fails loudly when podman is missing: the containers switch was given, so the tests must run.</summary>
    public static void RequirePodman()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(System.IO.Path.Combine(d, "podman")));
        if (!found)
            throw new InvalidOperationException("podman is not installed: the container tests need it (tests/run.sh --containers installs it with " +
                "deploy/podman/build-images.sh; or apt-get install podman podman-compose runc debootstrap)");
    }

    static string TestEnvironmentRoot => Dggrn.Tests.Common.TestEnvironment.RepoRoot;
}
