using Dggrn.Tests.Common;
using Dggrn.Worker.Tests.Fixtures;

namespace Dggrn.Worker.Tests.Faults;

/// <summary>Two real worker processes started with the same Worker:Name.</summary>
public sealed class DuplicateWorkerNameTests
{
    [Fault("Two worker processes started with the same id (Worker:Name)",
        "the second exits with code 3 and one line naming the live holder; the first keeps the id and runs the experiment to the end on its first attempt")]
    [Fact]
    public async Task The_second_worker_with_a_live_workers_name_exits_with_the_reason_and_the_first_carries_on()
    {
        var dir = Directory.CreateTempSubdirectory("dggrn-dup-name-").FullName;
        try
        {
            await using var orch = await OrchestratorInstance.StartAsync(leaseTtlSeconds: 30);
            var token = await orch.WorkerTokenAsync();
            var name = new Dictionary<string, string> { ["Worker__Name"] = "twin" };
            using var first = new WorkerProcess(orch.BaseAddress, token, Path.Combine(dir, "store"), Path.Combine(dir, "scratch-1"), name);
            await Poll.UntilAsync(() => Task.FromResult(first.Output), o => o.Contains("registered as twin", StringComparison.Ordinal), TimeSpan.FromMinutes(1), o => o);

            using var second = new WorkerProcess(orch.BaseAddress, token, Path.Combine(dir, "store"), Path.Combine(dir, "scratch-2"), name);
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(60)), $"the second worker kept running\n{second.Output}");
            Assert.Equal(3, second.ExitCode);
            var refusal = second.Output.Split('\n').Single(l => l.Contains("registration refused", StringComparison.Ordinal));
            Assert.Contains("'twin' is in use by a live worker", refusal);
            Assert.Contains($"pid {first.Pid}", refusal);
            Assert.DoesNotContain("   at ", second.Output); // a reason, not a stack trace

            var exp = await orch.SubmitAsync(Specs.OneDggrn("twin", epochs: 1, stepsPerEpoch: 10));
            var done = await Poll.UntilAsync(() => orch.TrialAsync(exp.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(3), t => $"{t.State}\n{first.Output}");
            Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{first.Output}");
            Assert.Equal(("twin", 1), (done.Worker, done.Attempts));
            Assert.Equal([first.Pid.ToString()], await orch.StringsAsync("SELECT pid::text FROM workers WHERE id = 'twin' AND @t IS NOT NULL", Guid.Empty));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
