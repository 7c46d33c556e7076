using System.Security.Cryptography;
using Dggrn.Contracts.Content;

namespace Dggrn.Model.Checksums;

/// <summary>
/// Computes the <see cref="ContentHashes"/> of buffers appended in order, on pool threads (MD5 on one, SHA-256 on another),
/// while the caller goes on producing the next ones: the digest of a serialisation is ready soon after the serialisation.
/// </summary>
/// <remarks>Appended buffers must not change until <see cref="Complete"/> returns. Not thread-safe: one producer.</remarks>
public sealed class BackgroundDigest : IDisposable
{
    readonly Chain _md5 = new(HashAlgorithmName.MD5);
    readonly Chain _sha256 = new(HashAlgorithmName.SHA256);

    /// <summary>Bytes appended so far.</summary>
    public long Length { get; private set; }

    /// <summary>Queues <paramref name="data"/> after everything appended before it.</summary>
    public void Append(ReadOnlyMemory<byte> data)
    {
        Length += data.Length;
        _md5.Append(data);
        _sha256.Append(data);
    }

    /// <summary>Waits for the queued pieces and returns the digest of everything appended.</summary>
    public ContentHashes Complete() => ContentHashes.Known(_md5.Complete(), _sha256.Complete());

    /// <inheritdoc />
    public void Dispose()
    {
        _md5.Dispose();
        _sha256.Dispose();
    }

    /// <summary>One hash fed piece by piece on pool threads, each piece after the one before.</summary>
    sealed class Chain(HashAlgorithmName algorithm) : IDisposable
    {
        readonly IncrementalHash _hash = IncrementalHash.CreateHash(algorithm);
        Task _tail = Task.CompletedTask;

        public void Append(ReadOnlyMemory<byte> data) =>
            // Hash state is sequential; a piece rethrows the failure of the one before, so none is lost.
            _tail = _tail.ContinueWith(previous =>
            {
                previous.GetAwaiter().GetResult();
                _hash.AppendData(data.Span);
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

        public string Complete()
        {
            _tail.GetAwaiter().GetResult();
            return Convert.ToHexStringLower(_hash.GetHashAndReset());
        }

        public void Dispose()
        {
            // A producer that failed half-way must not free the hash state under a running piece.
            _tail.ContinueWith(_ => { }, TaskScheduler.Default).Wait();
            _hash.Dispose();
        }
    }
}
