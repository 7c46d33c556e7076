using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

using Dggrn.Contracts.Content;

namespace Dggrn.Checkpoints;

/// <summary>
/// S3 PUT Object requests signed with AWS Signature Version 4 (path-style), checked by their ETag. With the body's hashes
/// known before sending, the payload is signed with its SHA-256 and sent with Content-MD5, for the server to check too;
/// without, the payload is UNSIGNED-PAYLOAD and its MD5 is computed while it is sent.
/// </summary>
/// <remarks>
/// Why not the SDK for uploads: Minio 7.0.0 cuts anything above 5 MiB into sequential 5 MiB multipart parts and
/// hashes every part for its signature, which reached about a third of the raw PUT throughput of the same
/// server here (docs/benchmarks.md, "Worker"). One request streams at wire speed. S3 and MinIO give a single-part object
/// the MD5 of the bytes they stored as ETag, so a body damaged on the way fails the PUT.
/// Single PUTs are limited to 5 GiB by S3; an in-memory object is below that.
/// </remarks>
public sealed partial class S3SignedPut(HttpClient http, string endpoint, bool useSsl, string region, string accessKey, string secretKey)
{
    /// <summary>Uploads <paramref name="data"/>; returns the server's ETag (empty when it sent none), which when present equals
    /// the MD5 of the bytes (else <see cref="InvalidDataException"/>); throws <see cref="HttpRequestException"/> on a non-2xx answer.</summary>
    /// <remarks>
    /// <paramref name="hashes"/> (those of <paramref name="data"/>, or null) are sent for the server to check: the SHA-256
    /// as the signed payload hash and the MD5 as Content-MD5, which S3 and MinIO verify before they store anything
    /// (s3rver ignores both; the ETag check below holds everywhere).
    /// </remarks>
    public async Task<string> PutAsync(string bucket, string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> headers,
        string contentType, ContentHashes? hashes, CancellationToken ct)
    {
        // Without hashes the MD5 runs on another core while the body goes out: the ETag is compared with it afterwards,
        // so it need not be known before sending, and hashing in line with the writes would add its whole time to the PUT's.
        var md5 = hashes is not null ? Task.FromResult(hashes.Md5) : Task.Run(() => Convert.ToHexStringLower(MD5.HashData(data.Span)), ct);
        string etag;
        try
        {
            var all = hashes is null ? headers
                : new Dictionary<string, string>(headers) { ["content-md5"] = Convert.ToBase64String(Convert.FromHexString(hashes.Md5)) };
            using var resp = await SendAsync(bucket, key, new ReadOnlyMemoryContent(data), all, contentType, hashes?.Sha256, ct);
            etag = resp.Headers.ETag?.Tag.Trim('"') ?? "";
        }
        finally { await ((Task)md5).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); } // never leave the hash running over a buffer the caller may reuse
        var expected = await md5;
        // A server that stored other bytes than we sent would answer another ETag; treat it as a failed write.
        if (etag.Length > 0 && !etag.Equals(expected, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"PUT {S3Signature.ObjectPath(bucket, key)}: server ETag {etag} differs from the MD5 {expected} of the bytes sent");
        return etag;
    }

    /// <summary>
    /// The reason when an S3 error answer says the body did not match the hashes sent with it (S3 and MinIO error codes
    /// BadDigest, InvalidDigest, XAmzContentSHA256Mismatch); null for any other answer.
    /// </summary>
    /// <remarks>Such a PUT stored nothing; the caller sends the bytes again, as for an ETag that differs.</remarks>
    public static string? HashRejection(HttpStatusCode status, string body)
    {
        if (status != HttpStatusCode.BadRequest) return null;
        var code = ErrorCode().Match(body);
        return code.Success && code.Groups[1].Value is "BadDigest" or "InvalidDigest" or "XAmzContentSHA256Mismatch"
            ? $"the server refused the body as not matching its hashes ({code.Groups[1].Value})"
            : null;
    }

    /// <summary>Whether an HTTP failure of <see cref="PutAsync"/> is worth retrying (5xx, 408, 429; network errors are handled by the caller).</summary>
    public static bool IsTransientStatus(HttpStatusCode? s) =>
        s is null or >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    // payloadSha256: hex SHA-256 of the body, signed for the server to verify; null sends UNSIGNED-PAYLOAD.
    async Task<HttpResponseMessage> SendAsync(string bucket, string key, HttpContent content, IReadOnlyDictionary<string, string> headers,
        string contentType, string? payloadSha256, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var path = S3Signature.ObjectPath(bucket, key);
        var signed = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase)
        {
            ["content-type"] = contentType,
            ["host"] = endpoint,
            ["x-amz-content-sha256"] = payloadSha256 ?? "UNSIGNED-PAYLOAD",
            ["x-amz-date"] = S3Signature.AmzDate(now),
        };
        using var req = new HttpRequestMessage(HttpMethod.Put, new Uri($"{(useSsl ? "https" : "http")}://{endpoint}{path}")) { Content = content };
        foreach (var (name, value) in signed)
        {
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase)) continue;
            if (name.StartsWith("content-", StringComparison.OrdinalIgnoreCase)) content.Headers.TryAddWithoutValidation(name, value.Trim()); // content-type, content-md5
            else req.Headers.TryAddWithoutValidation(name, value.Trim());
        }
        req.Headers.TryAddWithoutValidation("Authorization", S3Signature.Authorization("PUT", path, signed, now, region, accessKey, secretKey));
        var resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        if (resp.IsSuccessStatusCode) return resp;
        using (resp)
        {
            var body = await resp.Content.ReadAsStringAsync(ct);
            if (HashRejection(resp.StatusCode, body) is { } reason) throw new InvalidDataException($"PUT {path}: {reason}");
            throw new HttpRequestException($"PUT {path}: {(int)resp.StatusCode} {resp.StatusCode}: {Shorten(body)}", null, resp.StatusCode);
        }
    }

    static string Shorten(string s) => s.Length > 300 ? s[..300] : s;

    [GeneratedRegex("<Code>([^<]*)</Code>")]
    private static partial Regex ErrorCode();
}
