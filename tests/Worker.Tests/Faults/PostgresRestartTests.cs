using System.Diagnostics;
using Dggrn.Tests.Common;
using Dggrn.Worker.Tests.Fixtures;
using Npgsql;

namespace Dggrn.Worker.Tests.Faults;

/// <summary>PostgreSQL restarted, or refusing connections for 30 s, while a trial trains on a real worker.</summary>
public sealed class PostgresRestartTests : IAsyncLifetime
{
    const int Steps = 60, Epochs = 2;
    readonly string _dir = Directory.CreateTempSubdirectory("dggrn-pg-restart-").FullName;
    readonly PrivatePostgres _pg = new();
    OrchestratorInstance _orch = null!;

    public async Task InitializeAsync()
    {
        _pg.Start();
        // The lease outlives the outage: the trial keeps its worker and attempt throughout.
        _orch = await OrchestratorInstance.StartAsync(leaseTtlSeconds: 90, connectionString: _pg.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _orch.DisposeAsync();
        _pg.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Trains until some metrics are stored, runs <paramref name="outage"/>, then checks the trial completed on its first
    /// attempt with every metric point and batch exactly once.</summary>
    async Task SurvivesAsync(string name, Func<WorkerProcess, Task> outage)
    {
        var token = await _orch.WorkerTokenAsync();
        var exp = await _orch.SubmitAsync(Specs.OneDggrn(name, epochs: Epochs, stepsPerEpoch: Steps, filters: 16, batch: 16));
        using var worker = new WorkerProcess(_orch.BaseAddress, token, Path.Combine(_dir, "store"), Path.Combine(_dir, "scratch"));
        var trial = await Poll.UntilAsync(() => _orch.TrialAsync(exp.Id), t => t.State == "Running", TimeSpan.FromMinutes(2), t => $"{t.State}\n{worker.Output}");
        await Poll.UntilAsync(async () => (await _orch.MetricsAsync(trial.Id)).Keys.Count(k => k.Name == "train/loss"), n => n > 5, TimeSpan.FromMinutes(2), n => $"{n} points\n{worker.Output}");

        await outage(worker);
        NpgsqlConnection.ClearAllPools(); // this test process's own pooled connections died with the server

        // The API may answer 500 while its pooled connections to the restarted server are found dead and replaced.
        async Task<string> StateAsync()
        {
            try { return (await _orch.TrialAsync(exp.Id)).State; }
            catch (HttpRequestException e) { return $"API unavailable ({e.Message})"; }
        }
        await Poll.UntilAsync(StateAsync, s => s is "Succeeded" or "Failed", TimeSpan.FromMinutes(4), s => $"{s}\n{worker.Output}");
        var done = await _orch.TrialAsync(exp.Id);
        Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{worker.Output}");
        Assert.Equal(1, done.Attempts);
        var metrics = await _orch.MetricsAsync(trial.Id);
        Assert.Equal(Enumerable.Range(1, Steps * Epochs).Select(i => (long)i), metrics.Keys.Where(k => k.Name == "train/loss").Select(k => k.Step).Order());
        Assert.Equal([Steps, 2L * Steps], metrics.Keys.Where(k => k.Name == "test/psnr").Select(k => k.Step).Order());
        Assert.Equal("0", (await _orch.StringsAsync("SELECT count(*) - count(DISTINCT sequence) FROM metric_batches WHERE trial_id = @t", trial.Id)).Single());
        Assert.Equal(Epochs, (await _orch.CheckpointsAsync(trial.Id)).Max(c => c.Epoch)); // the last epoch's checkpoint was recorded
    }

    [Fault("PostgreSQL restarted mid-experiment",
        "the trial completes on its first attempt; every metric point and batch is stored exactly once; the last epoch's checkpoint is recorded")]
    [Fact]
    public Task A_postgres_restart_mid_trial_loses_and_doubles_nothing() => SurvivesAsync("pg-restart", _ =>
    {
        _pg.Stop();
        _pg.Start();
        return Task.CompletedTask;
    });

    [Fault("PostgreSQL refusing connections for 30 s mid-experiment",
        "the worker and its trial ride it out (reports retried, metrics buffered); the trial completes on its first attempt with every metric point and batch exactly once")]
    [Fact]
    [Trait("Category", "Long")]
    public Task Postgres_refusing_connections_for_30_seconds_loses_and_doubles_nothing() => SurvivesAsync("pg-30s", async worker =>
    {
        _pg.Stop();
        var down = Stopwatch.StartNew();
        while (down.Elapsed < TimeSpan.FromSeconds(30))
        {
            Assert.False(worker.HasExited, $"the worker died during the outage\n{worker.Output}");
            await Task.Delay(250); // the outage's length is the fault itself, not a wait for a condition
        }
        _pg.Start();
        Assert.Contains("unreachable", worker.Output); // the outage was felt and ridden out, not avoided
    });
}
