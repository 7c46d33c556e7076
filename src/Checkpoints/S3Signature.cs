using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Dggrn.Checkpoints;

/// <summary>AWS Signature Version 4 for S3 requests without a query string (the Authorization header value).</summary>
/// <remarks>
/// Kept apart from the requests that use it so it can be checked against AWS's published examples and an independent
/// implementation (tests/Worker.Tests/S3SignatureTests.cs): s3rver, the test server, does not check signatures.
/// </remarks>
public static class S3Signature
{
    /// <summary>
    /// The Authorization header for <paramref name="method"/> on <paramref name="path"/> (already URI-encoded, one segment
    /// at a time), signing every header in <paramref name="headers"/> (which must hold host, x-amz-date and
    /// x-amz-content-sha256; names in any case, values trimmed).
    /// </summary>
    public static string Authorization(string method, string path, IReadOnlyDictionary<string, string> headers, DateTime utc,
        string region, string accessKey, string secretKey)
    {
        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in headers) signed[k.ToLowerInvariant()] = v.Trim();
        var payload = signed.TryGetValue("x-amz-content-sha256", out var p) ? p
            : throw new ArgumentException("S3 requests sign x-amz-content-sha256; the headers lack it", nameof(headers));
        var amzDate = AmzDate(utc);
        var day = utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var signedNames = string.Join(";", signed.Keys);
        var canonical = $"{method}\n{path}\n\n{string.Concat(signed.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signedNames}\n{payload}";
        var scope = $"{day}/{region}/s3/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), day), region), "s3"), "aws4_request");
        return $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signedNames}, Signature={Hex(Hmac(key, toSign))}";
    }

    /// <summary>The x-amz-date value for <paramref name="utc"/>.</summary>
    public static string AmzDate(DateTime utc) => utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A path-style object path, each segment URI-encoded as SigV4 wants it.</summary>
    public static string ObjectPath(string bucket, string key) =>
        "/" + Uri.EscapeDataString(bucket) + "/" + string.Join("/", key.Split('/').Select(Uri.EscapeDataString));

    static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
