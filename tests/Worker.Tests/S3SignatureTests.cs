using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;

namespace Dggrn.Worker.Tests;

/// <summary>
/// SigV4 against known answers: s3rver, the test server, does not check signatures, so these are what stands between the
/// store and a MinIO or S3 that refuses every request.
/// </summary>
public sealed class S3SignatureTests
{
    // The key pair of AWS's published SigV4 examples (S3 API reference, "Signature Calculations for the Authorization
    // Header: Transferring Payload in a Single Chunk"); the two expected signatures below are printed there.
    const string ExampleAccess = "AKIAIOSFODNN7EXAMPLE";
    const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static readonly DateTime ExampleTime = new(2013, 5, 24, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void AwsPublishedPutObjectExample()
    {
        var auth = S3Signature.Authorization("PUT", "/test%24file.text", new Dictionary<string, string>
        {
            ["Host"] = "examplebucket.s3.amazonaws.com",
            ["Date"] = "Fri, 24 May 2013 00:00:00 GMT",
            ["x-amz-date"] = "20130524T000000Z",
            ["x-amz-storage-class"] = "REDUCED_REDUNDANCY",
            ["x-amz-content-sha256"] = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
        }, ExampleTime, "us-east-1", ExampleAccess, ExampleSecret);
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
                     "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, " +
                     "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd", auth);
    }

    [Fact]
    public void AwsPublishedGetObjectExample()
    {
        var auth = S3Signature.Authorization("GET", "/test.txt", new Dictionary<string, string>
        {
            ["host"] = "examplebucket.s3.amazonaws.com",
            ["range"] = "bytes=0-9",
            ["x-amz-content-sha256"] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // SHA-256 of nothing
            ["x-amz-date"] = "20130524T000000Z",
        }, ExampleTime, "us-east-1", ExampleAccess, ExampleSecret);
        Assert.EndsWith("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", auth);
    }

    /// <summary>The shape the store sends for a checkpoint: path-style, the payload signed with its SHA-256, Content-MD5 and
    /// user metadata all signed.</summary>
    /// <remarks>Expected value computed independently with botocore 1.43.11 (S3SigV4Auth, clock fixed at 2026-11-25 23:30:00 UTC)
    /// for the same request with the 4-byte body "test" (SHA-256 9f86d0..., MD5 base64 CY9rzUYh03PK3k6DJie09g==).</remarks>
    [Fact]
    public void PathStyleCheckpointPutWithSignedPayloadMatchesBotocore()
    {
        const string path = "/dggrn/experiments/e1/trials/t1/attempt-1/epoch-3.ckpt";
        Assert.Equal(path, S3Signature.ObjectPath("dggrn", "experiments/e1/trials/t1/attempt-1/epoch-3.ckpt"));
        const string sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        var auth = S3Signature.Authorization("PUT", path, new Dictionary<string, string>
        {
            ["content-md5"] = "CY9rzUYh03PK3k6DJie09g==",
            ["content-type"] = "application/octet-stream",
            ["host"] = "127.0.0.1:9000",
            ["x-amz-content-sha256"] = sha,
            ["x-amz-date"] = "20261125T233000Z",
            ["x-amz-meta-sha256"] = sha,
            ["x-amz-meta-trial"] = "t1",
        }, new DateTime(2026, 11, 25, 23, 30, 0, DateTimeKind.Utc), "eu-west-1", "minioadmin", "minio-secret/Key+1");
        Assert.Equal("AWS4-HMAC-SHA256 Credential=minioadmin/20261125/eu-west-1/s3/aws4_request, " +
                     "SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-sha256;x-amz-meta-trial, " +
                     "Signature=94f26632af9c20052c6e5dc6483743ee42c0089c0358bc5dbed931c5e5d9fc1f", auth);
    }

    [Fact]
    public void KeysAreEncodedOneSegmentAtATime()
    {
        Assert.Equal("/b/a%20b/c%2Bd/%24e.ckpt", S3Signature.ObjectPath("b", "a b/c+d/$e.ckpt"));
        Assert.Throws<ArgumentException>(() => S3Signature.Authorization("PUT", "/b/k", new Dictionary<string, string> { ["host"] = "h" },
            ExampleTime, "us-east-1", "a", "s"));
    }
}
