using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Worker.Service.Checkpoints;

namespace Dggrn.Worker.Tests;

public sealed class ReconcilerTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("dggrn-reconcile-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FindsBothKindsOfMismatchAndDeletesOnlyOldOrphans()
    {
        var store = new LocalCheckpointStore(_root);
        var up = new CheckpointUploader(store, _ => { });
        Guid exp = Guid.NewGuid(), trial = Guid.NewGuid();
        var id = new CheckpointIdentity(exp, trial, "ident", 1);
        var kept = await up.UploadAsync(StoreKeys.Checkpoint(exp, trial, 1, 2), [2], id, 2, 20, 31, default);
        var oldOrphan = await up.UploadAsync(StoreKeys.Checkpoint(exp, trial, 1, 1), [1], id, 1, 10, 30, default);
        var freshOrphan = await up.UploadAsync(StoreKeys.Checkpoint(exp, trial, 1, 3), [3], id, 3, 30, 32, default);
        await store.PutAsync(StoreKeys.Image(exp, trial, 1, "sr", 0, 5), new byte[] { 9 }, new Dictionary<string, string>(), default);
        File.SetLastWriteTimeUtc(Path.Combine(_root, oldOrphan.Key), DateTime.UtcNow.AddHours(-2));
        var lost = new CheckpointInfo(1, 0, 5, StoreKeys.Checkpoint(exp, trial, 1, 0), new string('a', 64), 1, null);
        var records = new[] { kept, lost };

        var r = await new Reconciler(store, (t, _) => Task.FromResult(t == trial ? records : []), _ => { })
            .RunAsync("experiments/", TimeSpan.FromHours(1), delete: true, DateTimeOffset.UtcNow, default);

        Assert.Equal([oldOrphan.Key, freshOrphan.Key], r.ObjectsWithoutRecords.Order(StringComparer.Ordinal));
        Assert.Equal([lost.Key], r.RecordsWithoutObjects);
        Assert.Equal([oldOrphan.Key], r.Deleted);
        Assert.Null(await store.StatAsync(oldOrphan.Key, default));
        Assert.Null(await store.StatAsync(StoreKeys.Manifest(oldOrphan.Key), default));
        Assert.NotNull(await store.StatAsync(freshOrphan.Key, default)); // inside the grace period: maybe an upload in flight
        Assert.NotNull(await store.StatAsync(kept.Key, default));
    }

    [Fact]
    public void TrialIdComesFromTheKeyLayout()
    {
        var t = Guid.NewGuid();
        Assert.Equal(t, Reconciler.TrialOf(StoreKeys.Checkpoint(Guid.NewGuid(), t, 1, 1)));
        Assert.Null(Reconciler.TrialOf("other/x.ckpt"));
    }
}
