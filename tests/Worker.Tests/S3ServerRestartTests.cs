using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;

namespace Dggrn.Worker.Tests;

public sealed class S3ServerRestartTests
{
    [Dggrn.Tests.Common.Fault("S3 server killed during a checkpoint upload, back after 2 s",
        "the upload retries and completes with the exact bytes; it never claims success while the server is down")]
    [Fact]
    public async Task UploadCompletesWhenTheServerIsKilledMidUploadAndStartedAgain()
    {
        using var server = new S3rverProcess();
        server.Start();
        var notes = new List<string>();
        using var store = new S3CheckpointStore(new CheckpointStoreOptions
        {
            Kind = "S3", Endpoint = server.Endpoint, AccessKey = "S3RVER", SecretKey = "S3RVER", Bucket = "restart", RetryForSeconds = 90, RequestTimeoutSeconds = 30,
        }, n => { lock (notes) notes.Add(n); });
        await store.PutAsync("warm.up", new byte[] { 1 }, new Dictionary<string, string>(), default); // bucket exists before the real upload

        var data = new byte[256 << 20];
        new Random(11).NextBytes(data);
        // The worker's own path: a verified upload with the hashes the checkpoint codec hands over (independent values here).
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
        var hashes = ContentHashes.Known(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data)), sha);
        var uploader = new Dggrn.Worker.Service.Checkpoints.CheckpointUploader(store, n => { lock (notes) notes.Add(n); });
        var put = uploader.UploadAsync("experiments/e/trials/t/attempt-1/epoch-3.ckpt", data, hashes,
            new Dggrn.Worker.Service.Checkpoints.CheckpointIdentity(Guid.NewGuid(), Guid.NewGuid(), "ident", 1), 3, 30, 31.5, default);

        // Wait until the server has started writing the object's bytes to its disk: the upload is under way.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories)
                   .Any(f => f.Contains("epoch-3.ckpt", StringComparison.Ordinal) && new FileInfo(f).Length > 0))
        {
            Assert.False(put.IsCompleted, "the upload finished before the server could be killed; the test proves nothing");
            Assert.True(DateTime.UtcNow < deadline, $"no object bytes appeared under {server.DataDirectory}");
            await Task.Delay(2);
        }
        server.Kill();
        Assert.False(put.IsCompleted);
        // Down for long enough that several retries fail, then back on the same port with the same data.
        var downUntil = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < downUntil && !put.IsCompleted) await Task.Delay(50);
        Assert.False(put.IsCompleted, "the upload claimed success while the server was down");
        server.Start();

        var info = await put;
        Assert.Equal(sha, info.Sha256);
        Assert.Equal(sha, BlobHash.Sha256((await store.GetAsync("experiments/e/trials/t/attempt-1/epoch-3.ckpt", default))!));
        Assert.Equal(sha, (await store.StatAsync("experiments/e/trials/t/attempt-1/epoch-3.ckpt", default))!.Metadata["sha256"]);
        lock (notes) Assert.Contains(notes, n => n.Contains("retrying", StringComparison.Ordinal));
    }
}
