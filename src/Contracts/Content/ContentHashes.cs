using System.Security.Cryptography;

namespace Dggrn.Contracts.Content;

/// <summary>
/// The MD5 and SHA-256 (lower-case hex) of a buffer about to be stored. SHA-256 names a checkpoint's content everywhere;
/// MD5 is what an S3 server answers as ETag for the bytes it stored, so a PUT can be checked without reading it back.
/// </summary>
/// <remarks>
/// The worker gets both from the checkpoint codec, which computes them while it serialises (training is paused then and
/// a core idles), so an upload is one PUT that carries them: nothing is hashed while the server needs the CPU.
/// </remarks>
public sealed record ContentHashes
{
    ContentHashes(string md5, string sha256) { Md5 = md5; Sha256 = sha256; }

    /// <summary>Hex MD5 of the buffer.</summary>
    public string Md5 { get; }

    /// <summary>Hex SHA-256 of the buffer (<see cref="BlobHash.Sha256"/>).</summary>
    public string Sha256 { get; }

    /// <summary>Hashes computed by whoever produced the bytes; throws naming both when either is not hex of its length.</summary>
    public static ContentHashes Known(string md5, string sha256)
    {
        static bool Hex(string s, int digits) => s.Length == digits && s.All(char.IsAsciiHexDigit);
        if (!Hex(md5, 32) || !Hex(sha256, 64))
            throw new ArgumentException($"expected a 32-digit hex MD5 and a 64-digit hex SHA-256, found '{md5}' and '{sha256}'");
        return new ContentHashes(md5.ToLowerInvariant(), sha256.ToLowerInvariant());
    }

    /// <summary>Hashes <paramref name="data"/> here, for bytes that come without their hashes.</summary>
    public static ContentHashes Of(ReadOnlySpan<byte> data) =>
        new(Convert.ToHexStringLower(MD5.HashData(data)), BlobHash.Sha256(data));
}
