using Dggrn.Contracts.Blobs;
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

    [Fact]
    public async Task RunsATrialWithMetricsVerifiedCheckpointsAndImages()
    {
        var exp = await _orch.SubmitAsync(Specs.OneDggrn("run", epochs: 2));
        using var worker = StartWorker("a");
        var trial = await Poll.UntilAsync(() => _orch.TrialAsync(exp.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(3),
            t => $"trial {t.State} epoch {t.Epoch} error {t.Error}\n{worker.Output}");
        Assert.True(trial.State == "Succeeded", $"{trial.State}: {trial.Error}\n{worker.Output}");

        var metrics = await _orch.MetricsAsync(trial.Id);
        // 2 epochs x 12 steps, a loss at every step, and each epoch's evaluation at its last step.
        Assert.Equal(Enumerable.Range(1, 24).Select(i => (long)i), metrics.Keys.Where(k => k.Name == "train/loss").Select(k => k.Step).Order());
        Assert.True(metrics.ContainsKey(("test/psnr", 12)) && metrics.ContainsKey(("test/psnr", 24)), string.Join(", ", metrics.Keys));
        Assert.True(metrics.ContainsKey(("test/psnr/axis2", 24)));

        var store = new LocalCheckpointStore(Store);
        var records = await _orch.CheckpointsAsync(trial.Id);
        Assert.NotEmpty(records);
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
    }
}
