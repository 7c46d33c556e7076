using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Tests.Common;
using Dggrn.Worker.Service.Checkpoints;
using Dggrn.Worker.Tests.Fixtures;

namespace Dggrn.Worker.Tests.Faults;

/// <summary>The local checkpoint store's disk fills up (a 2 MiB tmpfs), then space returns.</summary>
public sealed class DiskFullTests : IDisposable
{
    readonly SmallDisk _disk = new();
    readonly string _dir = Directory.CreateTempSubdirectory("dggrn-disk-full-").FullName;

    public void Dispose()
    {
        _disk.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fault("The local checkpoint store's disk is full (store level)",
        "the upload fails with one clear error naming the store path and 'no space'; nothing is stored under the key, no temporary file is left; once space returns the same upload succeeds and verifies")]
    [Fact]
    public async Task An_upload_to_a_full_disk_names_the_path_and_leaves_nothing_then_succeeds_once_space_returns()
    {
        var root = Path.Combine(_disk.Path, "store");
        var store = new LocalCheckpointStore(root);
        var uploader = new CheckpointUploader(store, _ => { });
        Guid exp = Guid.NewGuid(), trial = Guid.NewGuid();
        var id = new CheckpointIdentity(exp, trial, "ident", 1);
        var data = new byte[300 << 10];
        new Random(5).NextBytes(data);
        var key = StoreKeys.Checkpoint(exp, trial, 1, 1);
        await uploader.UploadAsync(StoreKeys.Checkpoint(exp, trial, 1, 0), [1, 2, 3], id, 0, 0, null, default); // folders exist
        _disk.Fill();

        var e = await Assert.ThrowsAsync<IOException>(() => uploader.UploadAsync(key, data, id, 1, 10, 30, default));
        Assert.Contains("no space left", e.Message);
        Assert.Contains(root, e.Message);
        Assert.Contains(key, e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Null(await store.StatAsync(key, default));
        Assert.Empty(Directory.EnumerateFiles(root, ".tmp-*", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(root, ".meta", key + ".json")), "metadata left behind without its object");

        _disk.Free();
        var info = await uploader.UploadAsync(key, data, id, 1, 10, 30, default);
        var (back, problem) = await uploader.DownloadVerifiedAsync(info, default);
        Assert.Null(problem);
        Assert.Equal(data, back);
    }

    [Fault("The local checkpoint store's disk is full while a worker trains",
        "the attempt fails with an error naming the store path and 'no space' (retryable), no checkpoint of it is recorded; once space returns the next attempt uploads its checkpoints and the trial completes with every step once")]
    [Fact]
    public async Task A_trial_whose_checkpoint_does_not_fit_fails_clearly_and_completes_once_space_returns()
    {
        const int Steps = 30, Epochs = 2;
        await using var orch = await OrchestratorInstance.StartAsync(leaseTtlSeconds: 10, maxAttempts: 6);
        var token = await orch.WorkerTokenAsync();
        var root = Path.Combine(_disk.Path, "store");
        Directory.CreateDirectory(root);
        _disk.Fill();
        var exp = await orch.SubmitAsync(Specs.OneDggrn("disk-full", epochs: Epochs, stepsPerEpoch: Steps));
        using var worker = new WorkerProcess(orch.BaseAddress, token, root, Path.Combine(_dir, "scratch"));

        var trial = await Poll.UntilAsync(() => orch.TrialAsync(exp.Id), t => t.Id != Guid.Empty, TimeSpan.FromSeconds(30), t => t.State);
        var reasons = await Poll.UntilAsync(() => orch.StringsAsync("SELECT reason FROM trial_transitions WHERE trial_id = @t ORDER BY id", trial.Id),
            r => r.Any(x => x.Contains("no space", StringComparison.Ordinal)), TimeSpan.FromMinutes(3), r => string.Join(" | ", r) + "\n" + worker.Output);
        _disk.Free();
        var failure = reasons.First(x => x.Contains("no space", StringComparison.Ordinal));
        Assert.Contains(root, failure);
        Assert.StartsWith("failed: IOException: checkpoint store", failure);
        Assert.Empty(await orch.CheckpointsAsync(trial.Id));

        var done = await Poll.UntilAsync(() => orch.TrialAsync(exp.Id), t => t.State is "Succeeded" or "Failed", TimeSpan.FromMinutes(4), t => $"{t.State} {t.Error}\n{worker.Output}");
        Assert.True(done.State == "Succeeded", $"{done.State}: {done.Error}\n{worker.Output}");
        Assert.True(done.Attempts >= 2);
        var recorded = await orch.CheckpointsAsync(trial.Id);
        Assert.NotEmpty(recorded);
        Assert.All(recorded, c => Assert.Equal(done.Attempts, c.Attempt));
        Assert.Equal(Enumerable.Range(1, Steps * Epochs).Select(i => (long)i),
            (await orch.MetricsAsync(trial.Id)).Keys.Where(k => k.Name == "train/loss").Select(k => k.Step).Order());
    }
}
