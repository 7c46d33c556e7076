using System.Security.Cryptography;

namespace Dggrn.Contracts.Content;

/// <summary>SHA-256 as lower-case hex, the form stored in metadata and checkpoint records.</summary>
public static class BlobHash
{
    /// <summary>Hash of <paramref name="data"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
