using System.Text.Json;
using Xunit;

namespace Dggrn.EndToEnd.Tests;

/// <summary>`dggrn demo`, stopped with SIGTERM mid-trial and run again, resumes the same smoke experiment from checkpoints.</summary>
[Trait("Category", "Long")]
public sealed class DemoResumeTests : IAsyncLifetime
{
    readonly string _state = StateDirs.Create();

    [Dggrn.Tests.Common.Fault("Stop local mode (SIGTERM) mid-trial and start it again",
        "the same experiment resumes from checkpoints and completes")]
    [Fact]
    public async Task Demo_stopped_mid_trial_resumes_the_same_experiment_and_completes()
    {
        Guid id;
        using (var first = await LocalModeProcess.StartAsync(_state, TimeSpan.FromMinutes(3), "demo"))
        {
            id = Guid.Parse((await first.WaitForLineAsync("Experiment: ", TimeSpan.FromMinutes(1)))["Experiment: ".Length..]);
            // Stop once a trial has finished an epoch, so there is a checkpoint to resume from.
            await PollAsync(async () => (await TrialsAsync(id)).Any(t => t.GetProperty("epoch").GetInt32() >= 1), TimeSpan.FromMinutes(3), first.Output);
            Assert.Equal(0, await first.StopAsync());
        }
        Assert.False(File.Exists(Path.Combine(_state, "pg", "postmaster.pid")), "PostgreSQL still running after the launcher stopped");

        using var second = await LocalModeProcess.StartAsync(_state, TimeSpan.FromMinutes(3), "demo");
        Assert.Equal($"Experiment: {id}", await second.WaitForLineAsync("Experiment: ", TimeSpan.FromMinutes(1)));
        Assert.Contains($"resuming smoke experiment {id}", second.StdErr);
        await PollAsync(async () => (await TrialsAsync(id)).All(t => t.GetProperty("state").GetString() == "Succeeded"), TimeSpan.FromMinutes(10), second.Output);
        var trials = await TrialsAsync(id);
        Assert.Contains(trials, t => t.GetProperty("resumedFromEpoch").ValueKind == JsonValueKind.Number);
        Assert.Equal(0, await second.StopAsync());
    }

    async Task<JsonElement[]> TrialsAsync(Guid id)
    {
        var r = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(1), "status", id.ToString(), "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonDocument.Parse(r.StdOut).RootElement.GetProperty("trials").EnumerateArray().ToArray();
    }

    static async Task PollAsync(Func<Task<bool>> condition, TimeSpan timeout, string context)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(1000);
        }
        throw new TimeoutException($"condition not met within {timeout}\n{context}");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        var leftover = LocalModeProcess.StopLeftoverPostgres(_state);
        if (!leftover) Directory.Delete(_state, recursive: true);
        return leftover ? throw new InvalidOperationException($"a PostgreSQL server was left running in {_state}") : Task.CompletedTask;
    }
}
