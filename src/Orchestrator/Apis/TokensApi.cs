using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Orchestrator.Auth;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Apis;

/// <summary>Token management (admin only): create, list (never secrets or hashes), revoke.</summary>
public static class TokensApi
{
    /// <summary>Maps the token routes.</summary>
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/tokens").WithTags("Tokens").RequireAuthorization(Roles.AdminPolicy);
        g.MapPost("", CreateAsync).WithName("CreateToken");
        g.MapGet("", ListAsync);
        g.MapPost("/{id:guid}/revoke", RevokeAsync);
        return app;
    }

    static async Task<IResult> ListAsync(IDbContextFactory<LabDbContext> db, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var rows = await ctx.ApiTokens.AsNoTracking().OrderBy(t => t.CreatedAt)
            .Select(t => new TokenInfo(t.Id, t.Name, t.Role, t.SingleUse, t.CreatedAt, t.ExpiresAt, t.UsedAt, t.RevokedAt)).ToListAsync(ct);
        return Results.Ok(rows);
    }

    /// <remarks>Takes effect at once on this process (its cache entry is dropped); other silos' caches forget it within
    /// their few seconds of caching.</remarks>
    static async Task<IResult> RevokeAsync(Guid id, IDbContextFactory<LabDbContext> db, TokenCache cache, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var changed = await ctx.ApiTokens.Where(t => t.Id == id && t.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        if (changed == 0 && !await ctx.ApiTokens.AnyAsync(t => t.Id == id, ct)) return ApiResults.Problem(404, $"token {id} does not exist");
        foreach (var (hash, entry) in cache.Entries)
            if (entry.Id == id) cache.Entries.TryRemove(hash, out _);
        return Results.Ok(new { id, revoked = true });
    }

    static async Task<IResult> CreateAsync(CreateTokenRequest request, IDbContextFactory<LabDbContext> db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name)) return ApiResults.Problem(400, "name: a token needs a name");
        if (!Roles.All.Contains(request.Role))
            return ApiResults.Problem(400, $"role: '{request.Role}' is not one of {string.Join(", ", Roles.All)}");
        if (request.ExpiresInSeconds is <= 0) return ApiResults.Problem(400, $"expiresInSeconds: {request.ExpiresInSeconds} is not a positive integer");
        var secret = TokenSecrets.NewSecret();
        var now = DateTimeOffset.UtcNow;
        var entity = new ApiTokenEntity
        {
            Id = Guid.NewGuid(), Name = request.Name, Role = request.Role, TokenHash = TokenSecrets.Hash(secret), SingleUse = request.SingleUse,
            CreatedAt = now, ExpiresAt = request.ExpiresInSeconds is { } s ? now.AddSeconds(s) : null,
        };
        await using var ctx = await db.CreateDbContextAsync(ct);
        ctx.ApiTokens.Add(entity);
        await ctx.SaveChangesAsync(ct);
        return Results.Ok(new CreateTokenResponse(entity.Id, secret));
    }
}
