using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
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
    /// <summary>Claim naming the token that authenticated the request (differs from the user's name when acting on behalf).</summary>
    public const string ViaClaim = "dggrn:via";

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
        var (name, role) = (entry.Name, entry.Role);
        if (Request.Headers.ContainsKey(OnBehalfOf.UserHeader))
        {
            // Only an admin may speak for someone else, and may then do no more than that user: no escalation is possible.
            if (entry.Role != Roles.Admin) return Fail($"only an admin token may send {OnBehalfOf.UserHeader}; this one is a {entry.Role} token");
            name = Uri.UnescapeDataString(Request.Headers[OnBehalfOf.UserHeader].ToString()).Trim();
            role = Request.Headers[OnBehalfOf.RoleHeader].ToString();
            if (name.Length is 0 or > 200) return Fail($"{OnBehalfOf.UserHeader}: expected a user name of 1 to 200 characters");
            if (role is not (Roles.Admin or Roles.Submitter or Roles.Viewer))
                return Fail($"{OnBehalfOf.RoleHeader}: '{role}' is not admin, submitter or viewer");
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role), new Claim(Roles.TokenIdClaim, entry.Id.ToString()), new Claim(ViaClaim, entry.Name)],
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
