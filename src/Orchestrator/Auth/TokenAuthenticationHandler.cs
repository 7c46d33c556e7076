using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Dggrn.Contracts.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Auth;

/// <summary>Authenticates "Authorization: Bearer &lt;token&gt;" against the SHA-256 hashes in api_tokens.</summary>
/// <remarks>
/// Reusable tokens are cached for a few seconds per hash so that busy workers do not cost a query per request;
/// revocation therefore takes effect within <see cref="CacheSeconds"/>. Single-use tokens are consumed atomically.
/// </remarks>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IDbContextFactory<LabDbContext> db, TokenCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>Scheme name.</summary>
    public const string SchemeName = "Bearer";
    const int CacheSeconds = 10;
    /// <summary>HttpContext.Items key holding why a presented token was refused (the 401 answer says it; never the token).</summary>
    public const string FailureItem = "dggrn:auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var hash = TokenSecrets.Hash(header["Bearer ".Length..].Trim());
        var now = DateTimeOffset.UtcNow;
        if (!cache.Entries.TryGetValue(hash, out var entry) || entry.CachedUntil < now)
        {
            await using var ctx = await db.CreateDbContextAsync(Context.RequestAborted);
            var t = await ctx.ApiTokens.AsNoTracking().FirstOrDefaultAsync(x => x.TokenHash == hash, Context.RequestAborted);
            if (t is null || t.RevokedAt is not null || t.ExpiresAt < now) return Fail("unknown, revoked or expired token");
            if (t.SingleUse)
            {
                var used = await ctx.ApiTokens.Where(x => x.Id == t.Id && x.UsedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.UsedAt, now), Context.RequestAborted);
                if (used == 0) return Fail("single-use token already used");
            }
            entry = new TokenCache.Entry(t.Id, t.Name, t.Role, now.AddSeconds(CacheSeconds));
            if (!t.SingleUse) cache.Entries[hash] = entry;
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, entry.Name), new Claim(ClaimTypes.Role, entry.Role), new Claim(Roles.TokenIdClaim, entry.Id.ToString())],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    AuthenticateResult Fail(string why)
    {
        Context.Items[FailureItem] = why;
        return AuthenticateResult.Fail(why);
    }
}

/// <summary>Short-lived cache of validated reusable tokens, keyed by hash.</summary>
public sealed class TokenCache
{
    /// <summary>A validated token.</summary>
    public sealed record Entry(Guid Id, string Name, string Role, DateTimeOffset CachedUntil);

    /// <summary>Entries by token hash.</summary>
    public ConcurrentDictionary<string, Entry> Entries { get; } = new();
}
