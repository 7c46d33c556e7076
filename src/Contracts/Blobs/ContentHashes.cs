using System.Security.Cryptography;

namespace Dggrn.Contracts.Blobs;

/// <summary>
/// The MD5 and SHA-256 of a buffer (lower-case hex): computed once, on one thread-pool thread, while the caller goes on
/// (typically sending the same bytes), or handed over by the buffer's producer.
/// </summary>
/// <remarks>
/// MD5 comes first because an S3 PUT's check needs it as soon as the server answers, SHA-256 second because it is needed
/// only after that. One thread rather than two: on a small machine the S3 server needs the other core.
/// </remarks>
public sealed class ContentHashes
{
    readonly TaskCompletionSource<string> _md5 = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource<string> _sha256 = new(TaskCreationOptions.RunContinuationsAsynchronously);

    ContentHashes() { }

    /// <summary>Hex MD5 of the buffer.</summary>
    public Task<string> Md5 => _md5.Task;

    /// <summary>Hex SHA-256 of the buffer (<see cref="BlobHash.Sha256"/>).</summary>
    public Task<string> Sha256 => _sha256.Task;

    /// <summary>True when the hashes were known before sending (<see cref="Known"/>), so they can travel with the request.</summary>
    public bool Precomputed { get; private init; }

    /// <summary>Hashes already computed by whoever produced the bytes.</summary>
    public static ContentHashes Known(string md5, string sha256)
    {
        static bool Hex(string s, int digits) => s.Length == digits && s.All(char.IsAsciiHexDigit);
        if (!Hex(md5, 32) || !Hex(sha256, 64))
            throw new ArgumentException($"expected a 32-digit hex MD5 and a 64-digit hex SHA-256, found '{md5}' and '{sha256}'");
        var h = new ContentHashes { Precomputed = true };
        h._md5.SetResult(md5.ToLowerInvariant());
        h._sha256.SetResult(sha256.ToLowerInvariant());
        return h;
    }

    /// <summary>Starts hashing <paramref name="data"/>; the caller must not change it until <see cref="Sha256"/> completes.</summary>
    public static ContentHashes Start(ReadOnlyMemory<byte> data)
    {
        var h = new ContentHashes();
        _ = Task.Run(() =>
        {
            try
            {
                h._md5.SetResult(Convert.ToHexStringLower(MD5.HashData(data.Span)));
                h._sha256.SetResult(BlobHash.Sha256(data.Span));
            }
            catch (Exception e)
            {
                h._md5.TrySetException(e);
                h._sha256.TrySetException(e);
            }
        });
        return h;
    }
}
