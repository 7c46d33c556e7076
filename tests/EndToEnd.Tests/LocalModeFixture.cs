using Xunit;

namespace Dggrn.EndToEnd.Tests;

/// <summary>
/// `dggrn up` running as a real child process in a private state directory (its own PostgreSQL, orchestrator,
/// worker and dashboard), plus one smoke grid submitted through the real ./dggrn script, shared by a test class.
/// Everything, the PostgreSQL server included, is stopped at the end even when a test fails.
/// </summary>
public sealed class LocalModeFixture : IAsyncLifetime
{
    readonly Lazy<Task<CliResult>> _smoke;

    /// <summary>Creates the fixture; the launcher starts in <see cref="InitializeAsync"/>.</summary>
    public LocalModeFixture() => _smoke = new Lazy<Task<CliResult>>(() =>
        CliRun.ScriptAsync(StateDir, TimeSpan.FromMinutes(10), "submit", "--preset", "smoke", "--wait"));

    /// <summary>The state directory (temporary).</summary>
    public string StateDir { get; } = StateDirs.Create();

    /// <summary>The running launcher.</summary>
    public LocalModeProcess Launcher { get; private set; } = null!;

    /// <summary>Everything the launcher printed so far (for failure messages).</summary>
    public string LauncherOutput => Launcher.Output;

    /// <inheritdoc />
    public async Task InitializeAsync() =>
        Launcher = await LocalModeProcess.StartAsync(StateDir, TimeSpan.FromMinutes(3), "up", "--workers", "1");

    /// <summary>`./dggrn submit --preset smoke --wait` through the real script, run once per fixture (a failure is kept,
    /// not retried: a second submit would link the first run's trials and test something else).</summary>
    public Task<CliResult> SmokeAsync() => _smoke.Value;

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
        if (Launcher is not null)
        {
            var code = await Launcher.StopAsync();
            if (code != 0) problems.Add(code is null ? "`dggrn up` did not stop within 120 s of SIGTERM and was killed" : $"`dggrn up` exited with {code} after SIGTERM");
            Launcher.Dispose();
        }
        if (LocalModeProcess.StopLeftoverPostgres(StateDir)) problems.Add("the private PostgreSQL was still running after the launcher exited");
        if (problems.Count == 0) Directory.Delete(StateDir, recursive: true);
        else throw new InvalidOperationException(string.Join("; ", problems) + $" (state kept in {StateDir})\n{Launcher?.Output}");
    }
}
