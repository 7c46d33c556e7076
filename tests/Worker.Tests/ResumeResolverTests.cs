using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Contracts.Trials;
using Dggrn.Worker.Service.Checkpoints;

namespace Dggrn.Worker.Tests;

public sealed class ResumeResolverTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("dggrn-resume-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    static LeaseGrant Grant(Guid exp, Guid trial, CheckpointInfo? from) => new(trial, exp, 3, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(1),
        new TrialConfig { Method = "noop", Dataset = new DatasetRef { Name = "p", Train = ["phantom:seed=1"], Test = ["phantom:seed=2"] } }, "id", from);

    [Dggrn.Tests.Common.Fault("A stored checkpoint altered after upload (store level)",
        "resume verifies the SHA-256, falls back to the previous good checkpoint and reports why")]
    [Fact]
    public async Task UploadIsVerifiedAndACorruptCheckpointFallsBackToThePreviousGoodOne()
    {
        var store = new LocalCheckpointStore(_root);
        var up = new CheckpointUploader(store, _ => { });
        Guid exp = Guid.NewGuid(), trial = Guid.NewGuid();
        var id = new CheckpointIdentity(exp, trial, "ident", 2);
        var e1 = await up.UploadAsync(StoreKeys.Checkpoint(exp, trial, 2, 1), [1, 1, 1], id, 1, 10, 30.0, default);
        var e2 = await up.UploadAsync(StoreKeys.Checkpoint(exp, trial, 2, 2), [2, 2, 2], id, 2, 20, 31.0, default);
        Assert.Equal(BlobHash.Sha256([2, 2, 2]), e2.Sha256);
        Assert.NotNull(await store.StatAsync(StoreKeys.Manifest(e2.Key), default));
        Assert.Equal(e2.Sha256, (await store.StatAsync(e2.Key, default))!.Metadata["sha256"]);

        // Bit rot in the newest checkpoint.
        await store.PutAsync(e2.Key, new byte[] { 2, 2, 3 }, new Dictionary<string, string>(), default);
        var r = await ResumeResolver.ResolveAsync(Grant(exp, trial, e2), up, _ => Task.FromResult(new[] { e1, e2 }), default);

        Assert.Equal(e1, r.From);
        Assert.Equal(new byte[] { 1, 1, 1 }, r.Data);
        Assert.Contains(r.Problems, p => p.Contains("failed its SHA-256 check", StringComparison.Ordinal) && p.Contains(e2.Key, StringComparison.Ordinal));
        Assert.Contains(r.Problems, p => p.Contains("previous good checkpoint", StringComparison.Ordinal));
    }

    [Dggrn.Tests.Common.Fault("Every recorded checkpoint missing from the store",
        "the attempt starts from scratch and reports it")]
    [Fact]
    public async Task NoGoodCheckpointMeansAFreshStartThatIsReported()
    {
        var store = new LocalCheckpointStore(_root);
        var up = new CheckpointUploader(store, _ => { });
        Guid exp = Guid.NewGuid(), trial = Guid.NewGuid();
        var gone = new CheckpointInfo(1, 4, 40, StoreKeys.Checkpoint(exp, trial, 1, 4), new string('0', 64), 3, null);
        var r = await ResumeResolver.ResolveAsync(Grant(exp, trial, gone), up, _ => Task.FromResult(new[] { gone }), default);
        Assert.Null(r.Data);
        Assert.Null(r.From);
        Assert.Contains(r.Problems, p => p.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(r.Problems, p => p.Contains("starting from scratch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NothingToResumeIsNotAProblem()
    {
        var up = new CheckpointUploader(new LocalCheckpointStore(_root), _ => { });
        var r = await ResumeResolver.ResolveAsync(Grant(Guid.NewGuid(), Guid.NewGuid(), null), up, _ => throw new InvalidOperationException("must not list"), default);
        Assert.Null(r.Data);
        Assert.Empty(r.Problems);
    }

    [Fact]
    public async Task HashesHandedOverByTheProducerAreCheckedNotTrusted()
    {
        var up = new CheckpointUploader(new LocalCheckpointStore(_root), _ => { });
        Guid exp = Guid.NewGuid(), trial = Guid.NewGuid();
        var id = new CheckpointIdentity(exp, trial, "ident", 1);
        byte[] data = [5, 6, 7];
        var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
        var ok = await up.UploadAsync(StoreKeys.Checkpoint(exp, trial, 1, 1), data, ContentHashes.Known(md5, sha), id, 1, 10, 30.0, default);
        Assert.Equal(sha, ok.Sha256);

        // A SHA-256 that is not the bytes' (here: of [5, 6, 8]) fails the read-back check on every attempt; nothing is recorded.
        var wrong = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([5, 6, 8]));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() =>
            up.UploadAsync(StoreKeys.Checkpoint(exp, trial, 1, 2), data, ContentHashes.Known(md5, wrong), id, 2, 20, 31.0, default));
        Assert.Contains($"read-back SHA-256 {sha} differs from written {wrong}", e.Message);
        Assert.Contains($"after {CheckpointUploader.VerifyAttempts} uploads", e.Message);
    }
}
