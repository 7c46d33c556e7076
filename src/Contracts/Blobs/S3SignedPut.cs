using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Dggrn.Contracts.Blobs;

/// <summary>
/// One S3 PUT Object request signed with AWS Signature Version 4 (path-style, UNSIGNED-PAYLOAD), checked by its ETag.
/// </summary>
/// <remarks>
/// Why not the SDK for uploads: Minio 7.0.0 cuts anything above 5 MiB into sequential 5 MiB multipart parts and
/// hashes every part for its signature, which reached about a third of the raw PUT throughput of the same
/// server here (docs/benchmarks.md, "Worker"). One request with an unsigned payload streams at wire speed. The MD5
/// of the body is computed while it is sent, and the server's answer must carry it as the ETag (S3 and MinIO give a
/// single-part object the MD5 of the bytes they stored), so a body damaged on the way fails the PUT.
/// Single PUTs are limited to 5 GiB by S3; an in-memory object is below that.
/// </remarks>
public sealed class S3SignedPut(HttpClient http, string endpoint, bool useSsl, string region, string accessKey, string secretKey)
{
    /// <summary>Uploads <paramref name="data"/>; returns the hex MD5 the server confirmed as ETag; throws <see cref="HttpRequestException"/> on a non-2xx answer.</summary>
    public async Task<string> PutAsync(string bucket, string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> headers,
        string contentType, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var day = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var path = "/" + Uri.EscapeDataString(bucket) + "/" + string.Join("/", key.Split('/').Select(Uri.EscapeDataString));

        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = contentType,
            ["host"] = endpoint,
            ["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD",
            ["x-amz-date"] = amzDate,
        };
        foreach (var (k, v) in headers) signed[k.ToLowerInvariant()] = v.Trim();
        var signedNames = string.Join(";", signed.Keys);
        var canonical = $"PUT\n{path}\n\n{string.Concat(signed.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signedNames}\nUNSIGNED-PAYLOAD";
        var scope = $"{day}/{region}/s3/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key1 = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), day);
        var signingKey = Hmac(Hmac(Hmac(key1, region), "s3"), "aws4_request");
        var signature = Hex(Hmac(signingKey, toSign));

        using var req = new HttpRequestMessage(HttpMethod.Put, new Uri($"{(useSsl ? "https" : "http")}://{endpoint}{path}"));
        using var content = new Md5Content(data);
        req.Content = content;
        foreach (var (name, value) in signed)
        {
            if (name == "host") continue;
            if (name == "content-type") req.Content.Headers.TryAddWithoutValidation(name, value);
            else req.Headers.TryAddWithoutValidation(name, value);
        }
        req.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signedNames}, Signature={signature}");
        using var resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!resp.IsSuccessStatusCode)
        {
            var body = await resp.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException($"PUT {path}: {(int)resp.StatusCode} {resp.StatusCode}: {(body.Length > 300 ? body[..300] : body)}", null, resp.StatusCode);
        }
        var etag = resp.Headers.ETag?.Tag.Trim('"') ?? "";
        var expected = content.Md5Hex;
        // A server that stored other bytes than we sent would answer another ETag; treat it as a failed write.
        if (etag.Length > 0 && !etag.Equals(expected, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"PUT {path}: server ETag {etag} differs from the MD5 {expected} of the bytes sent");
        return expected;
    }

    /// <summary>Whether an HTTP failure of <see cref="PutAsync"/> is worth retrying (5xx, 408, 429; network errors are handled by the caller).</summary>
    public static bool IsTransientStatus(HttpStatusCode? s) =>
        s is null or >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>The request body, hashed (MD5) as it goes out so hashing overlaps the network.</summary>
    sealed class Md5Content(ReadOnlyMemory<byte> data) : HttpContent
    {
        const int Chunk = 1 << 20;
        string? _md5;

        public string Md5Hex => _md5 ?? throw new InvalidOperationException("the body was not sent");

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken ct)
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            for (var at = 0; at < data.Length; at += Chunk)
            {
                var part = data.Slice(at, Math.Min(Chunk, data.Length - at));
                var write = stream.WriteAsync(part, ct);
                md5.AppendData(part.Span);
                await write;
            }
            _md5 = Hex(md5.GetHashAndReset());
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, default);

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }

    static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
