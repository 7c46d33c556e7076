using System.Security.Cryptography;
using System.Text;
using Dggrn.Orchestrator.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Dashboard.Auth;

/// <summary>Who a valid token belongs to.</summary>
public sealed record SignedInUser(Guid TokenId, string Name, string Role);

/// <summary>Checks a pasted or linked token against api_tokens.</summary>
/// <remarks>
/// Only the SHA-256 (lowercase hex) of a token is stored. A single-use token is consumed by one
/// conditional UPDATE, so two sign-ins racing with the same token cannot both succeed.
/// </remarks>
public sealed class TokenSignIn(IDbContextFactory<LabDbContext> dbs, TimeProvider clock)
{
    /// <summary>Lowercase hex SHA-256 of the token text, as the orchestrator stores it.</summary>
    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The user for a valid token, or null with the reason it was refused.</summary>
    public async Task<(SignedInUser? User, string? Error)> ValidateAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token)) return (null, "no token given");
        var hash = Hash(token.Trim());
        await using var db = await dbs.CreateDbContextAsync(ct);
        var row = await db.ApiTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        var now = clock.GetUtcNow();
        if (row is null) return (null, "unknown token");
        if (row.RevokedAt is not null) return (null, "token revoked");
        if (row.ExpiresAt is { } exp && exp <= now) return (null, "token expired");
        if (!Roles.CanSignIn(row.Role)) return (null, $"a {row.Role} token cannot sign in to the dashboard");
        if (row.SingleUse)
        {
            var consumed = await db.ApiTokens
                .Where(t => t.Id == row.Id && t.UsedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
            if (consumed == 0) return (null, "single-use token already used");
        }
        return (new SignedInUser(row.Id, row.Name, row.Role), null);
    }
}
