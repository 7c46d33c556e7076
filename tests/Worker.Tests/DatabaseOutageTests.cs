using System.Diagnostics;
using Dggrn.Worker.Tests.Fixtures;

namespace Dggrn.Worker.Tests;

/// <summary>PostgreSQL goes away for 10 s while a trial trains: the worker buffers and replays, nothing is lost or doubled.</summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    const int Steps = 150, Epochs = 2;
    readonly string _dir = Directory.CreateTempSubdirectory("dggrn-worker-pg-").FullName;
    readonly PrivatePostgres _pg = new();
    OrchestratorInstance _orch = null!;

    public async Task InitializeAsync()
    {
        _pg.Start();
        // The lease outlives the outage, so the trial keeps its worker throughout.
        _orch = await OrchestratorInstance.StartAsync(leaseTtlSeconds: 60, connectionString: _pg.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _orch.DisposeAsync();
        _pg.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Dggrn.Tests.Common.Fault("PostgreSQL stopped for 10 s mid-experiment",
        "the trial completes on its first attempt with exactly the uninterrupted metrics; each metric batch is ingested once")]
    [Fact]
    public async Task StoppingPostgresForTenSecondsLosesAndDuplicatesNoMetric()
    {
        var token = await _orch.WorkerTokenAsync();
        var spec = Specs.OneDggrn("pg", epochs: Epochs, stepsPerEpoch: Steps, filters: 16, batch: 16);
        var baselineExp = await _orch.SubmitAsync(spec);
        using var worker = new WorkerProcess(_orch.BaseAddress, token, Path.Combine(_dir, "store"), Path.Combine(_dir, "scratch"));
        var baseline = await Poll.UntilAsync(() => _orch.TrialAsync(baselineExp.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(4), t => $"{t.State}\n{worker.Output}");
        Assert.Equal("Succeeded", baseline.State);
        var expected = await _orch.MetricsAsync(baseline.Id);

        var exp = await _orch.SubmitAsync(spec, rerun: true);
        var trial = await Poll.UntilAsync(() => _orch.TrialAsync(exp.Id), t => t.State == "Running", TimeSpan.FromMinutes(2), t => $"{t.State}\n{worker.Output}");
        await Poll.UntilAsync(async () => (await _orch.MetricsAsync(trial.Id)).Keys.Count(k => k.Name == "train/loss"), n => n > 20, TimeSpan.FromMinutes(2), n => $"{n} points\n{worker.Output}");

        _pg.Stop();
        var down = Stopwatch.StartNew();
        while (down.Elapsed < TimeSpan.FromSeconds(10))
        {
            Assert.False(worker.HasExited, $"the worker died during the outage\n{worker.Output}");
            await Task.Delay(200);
        }
        _pg.Start();

        var done = await Poll.UntilAsync(() => _orch.TrialAsync(exp.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(4), t => $"{t.State}\n{worker.Output}");
        Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{worker.Output}");
        Assert.Equal(1, done.Attempts);
        Assert.Contains("unreachable", worker.Output); // the outage was felt and ridden out, not avoided

        var actual = await _orch.MetricsAsync(trial.Id);
        var e = expected.Where(kv => kv.Key.Name != "epoch/seconds").OrderBy(kv => kv.Key).ToList();
        var a = actual.Where(kv => kv.Key.Name != "epoch/seconds").OrderBy(kv => kv.Key).ToList();
        Assert.Equal(e.Select(kv => kv.Key), a.Select(kv => kv.Key));
        Assert.Equal(e.Select(kv => kv.Value), a.Select(kv => kv.Value));
        Assert.Equal(Steps * Epochs, a.Count(kv => kv.Key.Name == "train/loss"));
        // Every batch was ingested exactly once under its idempotency key.
        var batches = await _orch.StringsAsync("SELECT count(*) - count(DISTINCT sequence) FROM metric_batches WHERE trial_id = @t", trial.Id);
        Assert.Equal("0", batches.Single());
    }
}
