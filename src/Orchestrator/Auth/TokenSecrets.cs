using System.Security.Cryptography;
using System.Text;

namespace Dggrn.Orchestrator.Auth;

/// <summary>Token secrets: random generation and the SHA-256 hash that is all the database keeps.</summary>
public static class TokenSecrets
{
    /// <summary>A new secret: "dggrn_" + 32 random bytes, base64url.</summary>
    public static string NewSecret() => "dggrn_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Lower-case hex SHA-256 of the secret's UTF-8 bytes.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
