using Dggrn.Contracts.Content;

namespace Dggrn.Checkpoints;

/// <summary>
/// Blob storage for checkpoints and example images: MinIO/S3 in cluster mode, the local filesystem in local mode.
/// Keys are '/'-separated paths (see <see cref="StoreKeys"/>).
/// </summary>
/// <remarks>
/// A <see cref="PutAsync"/> that returns has stored the whole object (no partial object is ever visible under
/// the key). Implementations retry transient failures (a restarting server) with backoff around whole
/// operations; a missing object is reported as null / false, never as an exception.
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>Human description for logs, e.g. "s3://dggrn@127.0.0.1:9000" or "file:///var/dggrn".</summary>
    string Describe { get; }

    /// <summary>Stores <paramref name="data"/> under <paramref name="key"/> with user metadata (ASCII keys and values).</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata, CancellationToken ct);

    /// <summary>Reads a whole object; null when it does not exist.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct);

    /// <summary>Size, time and metadata of an object; null when it does not exist.</summary>
    Task<BlobInfo?> StatAsync(string key, CancellationToken ct);

    /// <summary>Deletes an object; deleting a missing object succeeds.</summary>
    Task DeleteAsync(string key, CancellationToken ct);

    /// <summary>All objects whose key starts with <paramref name="prefix"/>, at any depth.</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken ct);

    /// <summary>Proves the object under <paramref name="key"/> holds exactly <paramref name="expected"/> (whose SHA-256 is
    /// <paramref name="sha256"/>, lower-case hex); null when it does, else what differs.</summary>
    /// <remarks>The default reads the object back whole and compares SHA-256; a store with a cheaper proof of the same strength overrides it.</remarks>
    Task<string?> VerifyAsync(string key, ReadOnlyMemory<byte> expected, string sha256, CancellationToken ct) => ReadBackVerifyAsync(this, key, sha256, ct);

    /// <summary>
    /// Stores a checkpoint with <paramref name="metadata"/> plus its SHA-256 (under <see cref="StoreKeys.Sha256Metadata"/>) and
    /// proves the store holds exactly <paramref name="data"/>, whose hashes are <paramref name="hashes"/>; null when it
    /// does, else what differs.
    /// </summary>
    /// <remarks>The default puts, then <see cref="VerifyAsync"/>s; a store that can prove it within the write overrides it.</remarks>
    async Task<string?> PutVerifiedAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata, ContentHashes hashes, CancellationToken ct)
    {
        await PutAsync(key, data, new Dictionary<string, string>(metadata) { [StoreKeys.Sha256Metadata] = hashes.Sha256 }, ct);
        return await VerifyAsync(key, data, hashes.Sha256, ct);
    }

    /// <summary>Read-back verification: GET the whole object and compare its SHA-256 with <paramref name="want"/>.</summary>
    static async Task<string?> ReadBackVerifyAsync(ICheckpointStore store, string key, string want, CancellationToken ct)
    {
        var back = await store.GetAsync(key, ct);
        if (back is null) return $"{key} is missing after the write";
        var found = BlobHash.Sha256(back);
        return found == want ? null : $"{key}: read-back SHA-256 {found} differs from written {want}";
    }
}
