using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Tests.Common;

namespace Dggrn.Worker.Tests;

/// <summary>Against the real S3-protocol server tests/run.sh starts (MinIO or patched s3rver).</summary>
public sealed class S3CheckpointStoreTests
{
    static S3CheckpointStore Create(string bucket)
    {
        var (endpoint, access, secret) = TestEnvironment.S3;
        return new S3CheckpointStore(new CheckpointStoreOptions { Kind = "S3", Endpoint = endpoint, AccessKey = access, SecretKey = secret, Bucket = bucket, RetryForSeconds = 10 });
    }

    static string NewBucket() => $"t{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task RoundTripsSmallAndMultipartObjectsWithMetadata()
    {
        using var store = Create(NewBucket());
        var small = new byte[] { 1, 2, 3 };
        // 12 MiB crosses the SDK's 5 MiB multipart threshold.
        var big = new byte[12 << 20];
        new Random(7).NextBytes(big);
        await store.PutAsync("experiments/e/trials/t/attempt-1/epoch-1.ckpt", big, new Dictionary<string, string> { ["sha256"] = BlobHash.Sha256(big), ["trial"] = "t" }, default);
        await store.PutAsync("experiments/e/trials/t/images/epoch-1/sr-axis0-slice3.png", small, new Dictionary<string, string>(), default);

        Assert.Equal(big, await store.GetAsync("experiments/e/trials/t/attempt-1/epoch-1.ckpt", default));
        var info = await store.StatAsync("experiments/e/trials/t/attempt-1/epoch-1.ckpt", default);
        Assert.NotNull(info);
        Assert.Equal(big.Length, info.Size);
        Assert.Equal(BlobHash.Sha256(big), info.Metadata["sha256"]);
        Assert.Equal("t", info.Metadata["trial"]);

        var keys = new List<string>();
        await foreach (var b in store.ListAsync("experiments/e/", default)) keys.Add(b.Key);
        Assert.Equal(["experiments/e/trials/t/attempt-1/epoch-1.ckpt", "experiments/e/trials/t/images/epoch-1/sr-axis0-slice3.png"], keys);
    }

    [Fact]
    public async Task HashesKnownBeforeSendingTravelWithThePutAndItsETagProvesTheBytes()
    {
        using var store = Create(NewBucket());
        var data = new byte[(3 << 20) + 5];
        new Random(13).NextBytes(data);
        // Independent values: .NET's one-shot hashes, as the checkpoint codec's producer would hand them over.
        var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
        const string key = "experiments/e/trials/t/attempt-1/epoch-3.ckpt";
        Assert.Null(await store.PutVerifiedAsync(key, data, new Dictionary<string, string> { ["trial"] = "t" }, ContentHashes.Known(md5, sha), default));

        var info = await store.StatAsync(key, default);
        Assert.NotNull(info);
        Assert.Equal(sha, info.Metadata["sha256"]);
        Assert.Equal("t", info.Metadata["trial"]);
        Assert.Equal(md5, info.Metadata["etag"]);
        Assert.Equal(data, await store.GetAsync(key, default));

        // Hashes of other bytes (one bit flipped) fail the PUT: MinIO and S3 refuse the body by its Content-MD5 (BadDigest);
        // s3rver checks nothing, stores it, and the ETag differs, named with the value expected.
        var other = (byte[])data.Clone();
        other[12345] ^= 4;
        var wrongMd5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(other));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() =>
            store.PutVerifiedAsync("experiments/e/y.ckpt", data, new Dictionary<string, string>(), ContentHashes.Known(wrongMd5, sha), default));
        Assert.True(e.Message.Contains($"server ETag {md5} differs from the MD5 {wrongMd5}", StringComparison.Ordinal)
                    || e.Message.Contains("(BadDigest)", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void ErrorAnswersRefusingTheBodyByItsHashesAreRecognised()
    {
        // Error documents as S3 and MinIO write them (codes from the S3 API reference's error list).
        const string badDigest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message><Key>k</Key></Error>";
        const string shaMismatch = "<Error><Code>XAmzContentSHA256Mismatch</Code><Message>The provided 'x-amz-content-sha256' header does not match what was computed.</Message></Error>";
        const string invalidDigest = "<Error><Code>InvalidDigest</Code><Message>The Content-MD5 you specified is not valid.</Message></Error>";
        const string denied = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
        Assert.Equal("the server refused the body as not matching its hashes (BadDigest)", S3SignedPut.HashRejection(System.Net.HttpStatusCode.BadRequest, badDigest));
        Assert.Contains("(XAmzContentSHA256Mismatch)", S3SignedPut.HashRejection(System.Net.HttpStatusCode.BadRequest, shaMismatch));
        Assert.Contains("(InvalidDigest)", S3SignedPut.HashRejection(System.Net.HttpStatusCode.BadRequest, invalidDigest));
        Assert.Null(S3SignedPut.HashRejection(System.Net.HttpStatusCode.Forbidden, denied));
        Assert.Null(S3SignedPut.HashRejection(System.Net.HttpStatusCode.BadRequest, denied));
        Assert.Null(S3SignedPut.HashRejection(System.Net.HttpStatusCode.InternalServerError, badDigest));
    }

    [Theory]
    [InlineData("abc", "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0123456789abcdef0123456789abcdeZ", "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0123456789abcdef0123456789abcdef", "00")]
    public void KnownHashesMustBeHexOfTheRightLength(string md5, string sha)
    {
        var e = Assert.Throws<ArgumentException>(() => ContentHashes.Known(md5, sha));
        Assert.Contains($"found '{md5}' and '{sha}'", e.Message);
    }

    [Fact]
    public void HashesOfBytesThatCameWithoutThemMatchPublishedValues()
    {
        // RFC 1321 A.5 and FIPS 180-2 B.1: "abc".
        var h = ContentHashes.Of("abc"u8);
        Assert.Equal("900150983cd24fb0d6963f7d28e17f72", h.Md5);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", h.Sha256);
        Assert.Equal(h, ContentHashes.Known("900150983CD24FB0D6963F7D28E17F72", h.Sha256)); // upper-case hex is accepted and normalised
    }

    [Fact]
    public async Task MissingObjectsAreNullAndDeleteIsIdempotent()
    {
        using var store = Create(NewBucket());
        await store.PutAsync("experiments/x.ckpt", new byte[] { 9 }, new Dictionary<string, string>(), default);
        Assert.Null(await store.GetAsync("experiments/missing.ckpt", default));
        Assert.Null(await store.StatAsync("experiments/missing.ckpt", default));
        await store.DeleteAsync("experiments/x.ckpt", default);
        await store.DeleteAsync("experiments/x.ckpt", default);
        Assert.Null(await store.StatAsync("experiments/x.ckpt", default));
    }

    [Fact]
    public void BadSettingsNameTheKey()
    {
        var e = Assert.Throws<ArgumentException>(() => new S3CheckpointStore(new CheckpointStoreOptions { Kind = "S3", Endpoint = "http://x:9000", AccessKey = "a", SecretKey = "b" }));
        Assert.Contains("CheckpointStore:Endpoint", e.Message);
        var k = Assert.Throws<ArgumentException>(() => CheckpointStores.Create(new CheckpointStoreOptions { Kind = "Ftp" }));
        Assert.Contains("CheckpointStore:Kind", k.Message);
    }
}
