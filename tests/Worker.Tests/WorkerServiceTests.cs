using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Tests.Common;
using Dggrn.Worker.Tests.Fixtures;

namespace Dggrn.Worker.Tests;

/// <summary>The worker executable against a real orchestrator and PostgreSQL: the whole trial path.</summary>
public sealed class WorkerServiceTests : IAsyncLifetime
{
    readonly string _dir = Directory.CreateTempSubdirectory("dggrn-worker-it-").FullName;
    OrchestratorInstance _orch = null!;
    string _token = "";

    string Store => Path.Combine(_dir, "store");

    public async Task InitializeAsync()
    {
        _orch = await OrchestratorInstance.StartAsync();
        _token = await _orch.WorkerTokenAsync();
    }

    public async Task DisposeAsync()
    {
        await _orch.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    WorkerProcess StartWorker(string name, IDictionary<string, string>? extra = null) =>
        new(_orch.BaseAddress, _token, Store, Path.Combine(_dir, "scratch-" + name), extra);

    [Theory]
    [InlineData("Local")]
    [InlineData("S3")]
    public async Task RunsATrialWithMetricsVerifiedCheckpointsAndImages(string storeKind)
    {
        var bucket = $"w{Guid.NewGuid():N}"[..16];
        var (endpoint, access, secret) = storeKind == "S3" ? TestEnvironment.S3 : ("", "", "");
        ICheckpointStore store = storeKind == "S3"
            ? new S3CheckpointStore(new CheckpointStoreOptions { Kind = "S3", Endpoint = endpoint, AccessKey = access, SecretKey = secret, Bucket = bucket })
            : new LocalCheckpointStore(Store);
        var exp = await _orch.SubmitAsync(Specs.OneDggrn("run", epochs: 3));
        using var worker = StartWorker("a", storeKind == "S3"
            ? new Dictionary<string, string>
            {
                ["CheckpointStore__Kind"] = "S3", ["CheckpointStore__Endpoint"] = endpoint, ["CheckpointStore__AccessKey"] = access,
                ["CheckpointStore__SecretKey"] = secret, ["CheckpointStore__Bucket"] = bucket,
            }
            : null);
        var trial = await Poll.UntilAsync(() => _orch.TrialAsync(exp.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(3),
            t => $"trial {t.State} epoch {t.Epoch} error {t.Error}\n{worker.Output}");
        Assert.True(trial.State == "Succeeded", $"{trial.State}: {trial.Error}\n{worker.Output}");

        var metrics = await _orch.MetricsAsync(trial.Id);
        // 3 epochs x 12 steps, a loss at every step, and each epoch's evaluation at its last step.
        Assert.Equal(Enumerable.Range(1, 36).Select(i => (long)i), metrics.Keys.Where(k => k.Name == "train/loss").Select(k => k.Step).Order());
        Assert.True(metrics.ContainsKey(("test/psnr", 12)) && metrics.ContainsKey(("test/psnr", 36)), string.Join(", ", metrics.Keys));
        Assert.True(metrics.ContainsKey(("test/psnr/axis2", 36)));

        var records = await _orch.CheckpointsAsync(trial.Id);
        Assert.NotEmpty(records);
        // Retention (latest + best 1) deleted the rest from the store: objects and records agree exactly.
        var objects = new List<string>();
        await foreach (var b in store.ListAsync(StoreKeys.Trial(exp.Id, trial.Id), default))
            if (b.Key.EndsWith(".ckpt", StringComparison.Ordinal)) objects.Add(b.Key);
        Assert.Equal(records.Select(r => r.Key).Order(StringComparer.Ordinal), objects.Order(StringComparer.Ordinal));
        Assert.True(records.Length <= 2, string.Join(", ", records.Select(r => r.Key)));
        foreach (var c in records)
        {
            var bytes = await store.GetAsync(c.Key, default);
            Assert.NotNull(bytes);
            Assert.Equal(c.Sha256, BlobHash.Sha256(bytes));
            Assert.Equal(c.Sha256, (await store.StatAsync(c.Key, default))!.Metadata["sha256"]);
            Assert.NotNull(await store.StatAsync(StoreKeys.Manifest(c.Key), default));
        }
        var images = new List<string>();
        await foreach (var b in store.ListAsync(StoreKeys.Trial(exp.Id, trial.Id) + "images/", default)) images.Add(b.Key);
        foreach (var kind in new[] { "lr", "bicubic", "sr", "hr", "error" })
            Assert.Contains(images, k => k.Contains($"/{kind}-axis", StringComparison.Ordinal));
        Assert.False(worker.HasExited, "the worker keeps running after its trial ends");
        (store as IDisposable)?.Dispose();

        // The attempt recorded where it ran and the numerics check of its own network, at the threads it trained with.
        var env = trial.Environment!;
        Assert.Equal(Environment.MachineName, env.Host);
        Assert.True(env.Numerics!.Passed, env.Numerics.Reason);
        Assert.Equal(env.Threads, env.Numerics.Threads);
        Assert.Contains("dggrn N=1 K=8 x2", env.Numerics.Probes);
        Assert.InRange(env.Numerics.MaxRelativeError, 0, env.Numerics.Tolerance);
        // The worker's own start-up check is listed with it.
        var listed = Assert.Single(await _orch.WorkersAsync());
        Assert.Equal("Active", listed.State);
        Assert.True(listed.Numerics!.Passed);
        Assert.Equal(env.Numerics.Path, listed.Numerics.Path);
        Assert.Equal(5, listed.Numerics.Probes.Length);
    }

    [Fact]
    public async Task A_diverging_trial_fails_as_diverged_once_with_one_line_and_records_no_checkpoint_of_it()
    {
        // Six blocks at a learning rate of 10 overflow float32 within two steps: the trial stops before any checkpoint of broken weights.
        var exp = await _orch.SubmitAsync(Specs.OneDggrn("diverge", epochs: 2, stepsPerEpoch: 4, training: "learningRate: 10", blocks: 6));
        using var worker = StartWorker("d");
        var trial = await Poll.UntilAsync(() => _orch.TrialAsync(exp.Id), t => t.State is "Succeeded" or "Failed" or "Diverged", TimeSpan.FromMinutes(3),
            t => $"trial {t.State} epoch {t.Epoch} error {t.Error}\n{worker.Output}");
        Assert.True(trial.State == "Diverged", $"{trial.State}: {trial.Error}\n{worker.Output}");
        Assert.Matches(@"^diverged at epoch 1, step [1-4]: loss (NaN|\+Inf|-Inf)$", trial.Error);
        Assert.Equal(1, trial.Attempts);
        Assert.Empty(await _orch.CheckpointsAsync(trial.Id));
        Assert.All((await _orch.MetricsAsync(trial.Id)).Values, v => Assert.True(double.IsFinite(v)));
        Assert.False(worker.HasExited, "a diverged trial must not take the worker down");
    }
}
