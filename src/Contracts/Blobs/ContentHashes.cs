using System.Security.Cryptography;

namespace Dggrn.Contracts.Blobs;

/// <summary>
/// The MD5 and SHA-256 of a buffer (lower-case hex), computed once, on one thread-pool thread, while the caller goes on
/// (typically sending the same bytes).
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
