using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;

namespace Dggrn.Worker.Tests;

public sealed class LocalCheckpointStoreTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("dggrn-local-store-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task RoundTripsBytesAndMetadata()
    {
        var store = new LocalCheckpointStore(_root);
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        await store.PutAsync("experiments/e/trials/t/attempt-1/epoch-1.ckpt", data, new Dictionary<string, string> { ["SHA256"] = "abc" }, default);

        Assert.Equal(data, await store.GetAsync("experiments/e/trials/t/attempt-1/epoch-1.ckpt", default));
        var info = await store.StatAsync("experiments/e/trials/t/attempt-1/epoch-1.ckpt", default);
        Assert.NotNull(info);
        Assert.Equal(100_000, info.Size);
        Assert.Equal("abc", info.Metadata["sha256"]); // keys come back lower-case
    }

    [Fact]
    public async Task MissingObjectsAreNullNotErrors()
    {
        var store = new LocalCheckpointStore(_root);
        Assert.Null(await store.GetAsync("experiments/nope.ckpt", default));
        Assert.Null(await store.StatAsync("experiments/nope.ckpt", default));
        await store.DeleteAsync("experiments/nope.ckpt", default);
    }

    [Fact]
    public async Task ListsByPrefixWithoutMetadataOrTemporaryFiles()
    {
        var store = new LocalCheckpointStore(_root);
        var none = new Dictionary<string, string>();
        await store.PutAsync("experiments/a/x.ckpt", new byte[] { 1 }, none, default);
        await store.PutAsync("experiments/a/sub/y.png", new byte[] { 2, 3 }, none, default);
        await store.PutAsync("experiments/b/z.ckpt", new byte[] { 4 }, none, default);
        File.WriteAllText(Path.Combine(_root, "experiments", "a", ".tmp-crashed"), "partial");

        var keys = new List<string>();
        await foreach (var b in store.ListAsync("experiments/a/", default)) keys.Add(b.Key);

        Assert.Equal(["experiments/a/sub/y.png", "experiments/a/x.ckpt"], keys);
    }

    [Fact]
    public async Task DeleteRemovesObjectAndMetadata()
    {
        var store = new LocalCheckpointStore(_root);
        await store.PutAsync("experiments/a/x.ckpt", new byte[] { 1 }, new Dictionary<string, string> { ["k"] = "v" }, default);
        await store.DeleteAsync("experiments/a/x.ckpt", default);
        Assert.Null(await store.StatAsync("experiments/a/x.ckpt", default));
        Assert.False(File.Exists(Path.Combine(_root, ".meta", "experiments", "a", "x.ckpt.json")));
    }

    [Theory]
    [InlineData("../escape.ckpt")]
    [InlineData("/abs.ckpt")]
    [InlineData("a//b.ckpt")]
    [InlineData(".meta/x.json")]
    [InlineData("a/../../escape.ckpt")]
    [InlineData("a/./b.ckpt")]
    [InlineData("..")]
    [InlineData("a\\..\\..\\escape.ckpt")]
    public async Task RejectsKeysOutsideTheRoot(string key)
    {
        var store = new LocalCheckpointStore(_root);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new byte[] { 1 }, new Dictionary<string, string>(), default));
        Assert.Contains(key, e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(key, default));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_root)!, "escape.ckpt")));
    }

    [Fact]
    public async Task RefusesAKeyThroughASymlinkedSubfolder()
    {
        var outside = Directory.CreateTempSubdirectory("dggrn-outside-").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(_root, "experiments"), outside);
            var store = new LocalCheckpointStore(_root);

            var e = await Assert.ThrowsAsync<ArgumentException>(() =>
                store.PutAsync("experiments/e/x.ckpt", new byte[] { 1 }, new Dictionary<string, string>(), default));
            Assert.Contains("experiments/e/x.ckpt", e.Message);
            Assert.Contains("symbolic link", e.Message);
            Assert.Empty(Directory.EnumerateFileSystemEntries(outside));

            // Reading through the link is refused too, and listing does not enter it.
            File.WriteAllText(Path.Combine(outside, "secret.ckpt"), "outside");
            await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync("experiments/secret.ckpt", default));
            var keys = new List<string>();
            await foreach (var b in store.ListAsync("", default)) keys.Add(b.Key);
            Assert.Empty(keys);
        }
        finally { Directory.Delete(outside, recursive: true); }
    }

    [Fact]
    public async Task RefusesToOverwriteAFileThroughASymlinkedObject()
    {
        var outside = Path.Combine(Directory.CreateTempSubdirectory("dggrn-outside-").FullName, "victim.txt");
        try
        {
            File.WriteAllText(outside, "keep me");
            Directory.CreateDirectory(Path.Combine(_root, "experiments"));
            File.CreateSymbolicLink(Path.Combine(_root, "experiments", "x.ckpt"), outside);
            var store = new LocalCheckpointStore(_root);

            var e = await Assert.ThrowsAsync<ArgumentException>(() =>
                store.PutAsync("experiments/x.ckpt", new byte[] { 1, 2, 3 }, new Dictionary<string, string>(), default));
            Assert.Contains(outside, e.Message);
            await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync("experiments/x.ckpt", default));
            Assert.Equal("keep me", File.ReadAllText(outside));
        }
        finally { Directory.Delete(Path.GetDirectoryName(outside)!, recursive: true); }
    }

    [Fact]
    public async Task ARootThatIsItselfALinkStillWorks()
    {
        var link = _root + "-link";
        Directory.CreateSymbolicLink(link, _root);
        try
        {
            var store = new LocalCheckpointStore(link);
            await store.PutAsync("experiments/a/x.ckpt", new byte[] { 9 }, new Dictionary<string, string>(), default);
            Assert.Equal(new byte[] { 9 }, await store.GetAsync("experiments/a/x.ckpt", default));
            Assert.True(File.Exists(Path.Combine(_root, "experiments", "a", "x.ckpt")));
        }
        finally { File.Delete(link); }
    }
}
