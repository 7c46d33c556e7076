using System.Runtime.CompilerServices;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

using Dggrn.Contracts.Content;

namespace Dggrn.Checkpoints;

/// <summary>The checkpoint store on MinIO or any S3-protocol server, through the Minio 7.0.0 SDK.</summary>
/// <remarks>
/// Works around the SDK's defects (STACK.md): no WithRetryPolicy (it corrupts multipart URLs), whole
/// operations are retried with backoff instead, so an upload survives a server restart; WithTimeout bounds
/// each request (the SDK default is 30 minutes and a server that accepts but never answers would hang us);
/// no ranged GETs are used. The bucket is created on first use.
/// </remarks>
public sealed class S3CheckpointStore : ICheckpointStore, IDisposable
{
    const string MetaPrefix = "x-amz-meta-";
    readonly IMinioClient _client;
    readonly string _bucket;
    readonly TimeSpan _retryFor;
    readonly Action<string>? _log;
    readonly HttpClient _http;
    readonly S3SignedPut _signedPut;
    volatile bool _bucketReady;

    /// <summary>Connects lazily; bad settings throw naming the key.</summary>
    public S3CheckpointStore(CheckpointStoreOptions o, Action<string>? log = null)
    {
        if (string.IsNullOrWhiteSpace(o.Endpoint) || o.Endpoint.Contains("://"))
            throw new ArgumentException($"CheckpointStore:Endpoint: expected host:port without a scheme, found '{o.Endpoint}'");
        if (string.IsNullOrEmpty(o.AccessKey) || string.IsNullOrEmpty(o.SecretKey))
            throw new ArgumentException("CheckpointStore:AccessKey and CheckpointStore:SecretKey: both are required for Kind=S3");
        _bucket = o.Bucket;
        _retryFor = TimeSpan.FromSeconds(o.RetryForSeconds);
        _log = log;
        _client = new MinioClient()
            .WithEndpoint(o.Endpoint)
            .WithCredentials(o.AccessKey, o.SecretKey)
            .WithSSL(o.UseSsl)
            .WithRegion(o.Region)
            .WithTimeout(checked(o.RequestTimeoutSeconds * 1000))
            .Build();
        Describe = $"s3://{o.Bucket}@{o.Endpoint}";
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            Timeout = TimeSpan.FromSeconds(o.RequestTimeoutSeconds),
        };
        _signedPut = new S3SignedPut(_http, o.Endpoint, o.UseSsl, o.Region, o.AccessKey, o.SecretKey);
    }

    /// <inheritdoc />
    public string Describe { get; }

    /// <summary>Transient: the server is down, restarting, overloaded or the connection broke.</summary>
    public static bool IsTransient(Exception e) =>
        e is HttpRequestException { StatusCode: { } status } ? S3SignedPut.IsTransientStatus(status)
        : StoreRetry.IsNetworkFailure(e)
        || e is ConnectionException or InternalServerException or UnexpectedMinioException
        || (e is MinioException m && (m.Message.Contains("503", StringComparison.Ordinal) || m.Message.Contains("500", StringComparison.Ordinal)));

    /// <inheritdoc />
    /// <remarks>One signed PUT whose ETag must equal the MD5 of the bytes sent (<see cref="S3SignedPut"/>).</remarks>
    public Task PutAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata, CancellationToken ct) =>
        PutCoreAsync(key, data, metadata, null, ct);

    /// <summary>The retried signed PUT behind both puts; returns the server's ETag, the MD5 of the bytes it stored (empty when it sent none).</summary>
    Task<string> PutCoreAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata, ContentHashes? hashes, CancellationToken ct) =>
        Retry($"put {key}", async c =>
        {
            await EnsureBucketAsync(c);
            return await _signedPut.PutAsync(_bucket, key, data, MetaHeaders(metadata), ContentType(key), hashes, c);
        }, ct);

    /// <inheritdoc />
    /// <remarks>
    /// A HEAD instead of a read-back: the size, the SHA-256 in the metadata and the ETag must all match. For a single-part
    /// object the ETag is the MD5 the server computed over the bytes it stored;
    /// a multipart object's ETag is not a content hash, so it is read back instead.
    /// </remarks>
    public async Task<string?> VerifyAsync(string key, ReadOnlyMemory<byte> expected, string sha256, CancellationToken ct)
    {
        var info = await StatAsync(key, ct);
        if (info is null) return $"{key} is missing after the write";
        if (info.Size != expected.Length) return $"{key}: stored size {info.Size} differs from written {expected.Length}";
        if (info.Metadata.TryGetValue(StoreKeys.Sha256Metadata, out var stored) && stored != sha256)
            return $"{key}: stored SHA-256 metadata {stored} differs from the written content's {sha256}";
        if (!info.Metadata.TryGetValue("etag", out var etag) || etag.Contains('-'))
            return await ICheckpointStore.ReadBackVerifyAsync(this, key, sha256, ct);
        var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(expected.Span));
        return etag.Trim('"').Equals(md5, StringComparison.OrdinalIgnoreCase) ? null : $"{key}: stored ETag {etag} differs from the written content's MD5 {md5}";
    }

    /// <inheritdoc />
    /// <remarks>
    /// One PUT: the SHA-256 travels in its metadata and as its signed payload hash, the MD5 as Content-MD5 (S3 and MinIO
    /// refuse a body that matches neither), and its ETag, the MD5 the server computed over what it stored, must equal
    /// the producer's MD5. A server that sent no ETag proved nothing yet, so the object is then checked by
    /// <see cref="VerifyAsync"/>.
    /// </remarks>
    public async Task<string?> PutVerifiedAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata,
        ContentHashes hashes, CancellationToken ct)
    {
        var etag = await PutCoreAsync(key, data, new Dictionary<string, string>(metadata) { [StoreKeys.Sha256Metadata] = hashes.Sha256 }, hashes, ct);
        return etag.Length > 0 ? null : await VerifyAsync(key, data, hashes.Sha256, ct);
    }

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(string key, CancellationToken ct) =>
        Retry($"get {key}", async c =>
        {
            try
            {
                var buffer = new MemoryStream();
                await _client.GetObjectAsync(new GetObjectArgs().WithBucket(_bucket).WithObject(key)
                    .WithCallbackStream((s, t) => s.CopyToAsync(buffer, t)), c);
                return buffer.ToArray();
            }
            catch (Exception e) when (IsMissing(e)) { return null; }
        }, ct);

    /// <inheritdoc />
    public Task<BlobInfo?> StatAsync(string key, CancellationToken ct) =>
        Retry($"stat {key}", async c =>
        {
            try
            {
                var s = await _client.StatObjectAsync(new StatObjectArgs().WithBucket(_bucket).WithObject(key), c);
                var meta = new Dictionary<string, string>();
                foreach (var (k, v) in s.MetaData)
                    meta[k.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase) ? k[MetaPrefix.Length..].ToLowerInvariant() : k.ToLowerInvariant()] = v;
                if (!string.IsNullOrEmpty(s.ETag)) meta["etag"] = s.ETag.Trim('"');
                return (BlobInfo?)new BlobInfo(key, s.Size, new DateTimeOffset(DateTime.SpecifyKind(s.LastModified, DateTimeKind.Utc)), meta);
            }
            catch (Exception e) when (IsMissing(e)) { return null; }
        }, ct);

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken ct) =>
        Retry($"delete {key}", async c =>
        {
            try { await _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_bucket).WithObject(key), c); }
            catch (Exception e) when (IsMissing(e)) { }
            return true;
        }, ct);

    /// <inheritdoc />
    /// <remarks>Listing does not return user metadata (S3 does not); use <see cref="StatAsync"/> for it.</remarks>
    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        // Collected whole under the retry so a restart mid-listing starts the listing again rather than skipping keys.
        var items = await Retry($"list {prefix}", async c =>
        {
            var list = new List<BlobInfo>();
            try
            {
                await foreach (var item in _client.ListObjectsEnumAsync(
                                   new ListObjectsArgs().WithBucket(_bucket).WithPrefix(prefix).WithRecursive(true), c))
                {
                    if (item.IsDir) continue;
                    var at = item.LastModifiedDateTime is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
                    list.Add(new BlobInfo(item.Key, (long)item.Size, at, new Dictionary<string, string>()));
                }
            }
            catch (Exception e) when (e is BucketNotFoundException) { }
            return list;
        }, ct);
        foreach (var i in items.OrderBy(i => i.Key, StringComparer.Ordinal)) yield return i;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
    }

    async Task EnsureBucketAsync(CancellationToken ct)
    {
        if (_bucketReady) return;
        if (!await _client.BucketExistsAsync(new BucketExistsArgs().WithBucket(_bucket), ct))
        {
            // Another process may create it between the two calls; only a bucket that still does not exist is an error.
            try { await _client.MakeBucketAsync(new MakeBucketArgs().WithBucket(_bucket), ct); }
            catch (MinioException)
            {
                if (!await _client.BucketExistsAsync(new BucketExistsArgs().WithBucket(_bucket), ct)) throw;
            }
        }
        _bucketReady = true;
    }

    Task<T> Retry<T>(string what, Func<CancellationToken, Task<T>> op, CancellationToken ct) =>
        StoreRetry.RunAsync($"{Describe} {what}", op, _retryFor, IsTransient, ct, _log);

    static Dictionary<string, string> MetaHeaders(IReadOnlyDictionary<string, string> metadata) =>
        metadata.ToDictionary(kv => MetaPrefix + kv.Key.ToLowerInvariant(), kv => kv.Value);

    static bool IsMissing(Exception e) => e is ObjectNotFoundException or BucketNotFoundException;

    static string ContentType(string key) =>
        key.EndsWith(".png", StringComparison.Ordinal) ? "image/png"
        : key.EndsWith(".json", StringComparison.Ordinal) ? "application/json"
        : "application/octet-stream";
}
