using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Tests.Common;
using Dggrn.Worker.Tests.Fixtures;

namespace Dggrn.Worker.Tests.Faults;

/// <summary>The newest recorded checkpoint of a trial is damaged in the store (one byte flipped, or deleted) before a
/// fresh worker resumes it.</summary>
public sealed class StoredCheckpointDamageTests : IAsyncLifetime
{
    const int Steps = 20, Epochs = 3;
    readonly string _dir = Directory.CreateTempSubdirectory("dggrn-ckpt-damage-").FullName;
    readonly List<WorkerProcess> _workers = [];
    OrchestratorInstance _orch = null!;
    string _token = "";

    public async Task InitializeAsync()
    {
        _orch = await OrchestratorInstance.StartAsync(leaseTtlSeconds: 4);
        _token = await _orch.WorkerTokenAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var w in _workers) w.Dispose();
        await _orch.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    string Store => Path.Combine(_dir, "store");
    string Logs => string.Join("\n----\n", _workers.Select(w => w.Output));

    // keepBest 3: retention keeps every checkpoint of this short trial, so an older good one exists to fall back to.
    static string Spec(string name) => $$"""
        name: {{name}}
        datasets:
          - name: Phantom
            train: ["phantom:seed=1,grid=32x32x32"]
            test: ["phantom:seed=2,grid=32x32x32"]
        training: { epochs: {{Epochs}}, stepsPerEpoch: {{Steps}}, batchSize: 8, logEverySteps: 1, keepBest: 3 }
        grid:
          - tables: ["1"]
            methods: [dggrn]
            blocks: [1]
            filters: [8]
            scale: [2]
            seed: [0]
        """;

    WorkerProcess StartWorker(IDictionary<string, string>? extra = null)
    {
        var w = new WorkerProcess(_orch.BaseAddress, _token, Store, Path.Combine(_dir, $"scratch-{_workers.Count}"), extra);
        _workers.Add(w);
        return w;
    }

    /// <summary>Runs the trial to epoch 3's evaluation (checkpoints of epochs 1 and 2 recorded), kills the worker with
    /// SIGKILL, damages the epoch-2 checkpoint, lets a fresh worker finish; returns the trial and its log lines.</summary>
    async Task<(Contracts.Api.TrialSummary Trial, string Damaged, List<string> Log)> RunWithDamageAsync(string name, Action<string> damage)
    {
        var exp = await _orch.SubmitAsync(Spec(name));
        var first = StartWorker(new Dictionary<string, string> { ["DGGRN_FAILPOINT"] = "in-evaluation:3" });
        await Poll.UntilAsync(() => Task.FromResult(first.Output), o => o.Contains("failpoint in-evaluation reached at epoch 3", StringComparison.Ordinal),
            TimeSpan.FromMinutes(3), o => o);
        var trial = await _orch.TrialAsync(exp.Id);
        var recorded = await _orch.CheckpointsAsync(trial.Id);
        Assert.Equal([1, 2], recorded.Select(c => c.Epoch).Order());
        first.Signal("KILL");
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(10)));

        var newest = recorded.Single(c => c.Epoch == 2);
        damage(Path.Combine(Store, newest.Key));
        StartWorker();
        var done = await Poll.UntilAsync(() => _orch.TrialAsync(exp.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(4), t => $"{t.State} {t.Error}\n{Logs}");
        Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{Logs}");
        Assert.Equal(Enumerable.Range(1, Steps * Epochs).Select(i => (long)i),
            (await _orch.MetricsAsync(trial.Id)).Keys.Where(k => k.Name == "train/loss").Select(k => k.Step).Order());
        var log = await _orch.StringsAsync("SELECT line FROM trial_logs WHERE trial_id = @t ORDER BY id", trial.Id);
        return (done, newest.Key, log);
    }

    [Fault("A stored checkpoint corrupted (one byte flipped) before a new attempt resumes from it",
        "the new attempt detects it by SHA-256, resumes from the previous good checkpoint, reports both in the trial log, and the trial completes with every step once")]
    [Fact]
    public async Task A_flipped_byte_in_the_newest_checkpoint_falls_back_to_the_previous_one_and_says_so()
    {
        var (trial, key, log) = await RunWithDamageAsync("ckpt-corrupt", path =>
        {
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0x01;
            File.WriteAllBytes(path, bytes);
        });
        Assert.Equal(1, trial.ResumedFromEpoch);
        Assert.Contains(log, l => l.Contains($"checkpoint {key} failed its SHA-256 check", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("resuming from the previous good checkpoint", StringComparison.Ordinal) && l.Contains("epoch 1", StringComparison.Ordinal));
    }

    [Fault("A stored checkpoint deleted before a new attempt resumes from it",
        "the new attempt reports it missing, resumes from the previous good checkpoint, and the trial completes with every step once")]
    [Fact]
    public async Task A_deleted_newest_checkpoint_falls_back_to_the_previous_one_and_says_so()
    {
        var (trial, key, log) = await RunWithDamageAsync("ckpt-deleted", File.Delete);
        Assert.Equal(1, trial.ResumedFromEpoch);
        Assert.Contains(log, l => l.Contains($"checkpoint {key} is missing", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("resuming from the previous good checkpoint", StringComparison.Ordinal) && l.Contains("epoch 1", StringComparison.Ordinal));
    }
}
