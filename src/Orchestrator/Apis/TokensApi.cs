using Dggrn.Contracts.Api;
using Dggrn.Contracts.Storage;
using Dggrn.Orchestrator.Auth;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Apis;

/// <summary>POST /api/tokens: admins create tokens.</summary>
public static class TokensApi
{
    /// <summary>Maps the token routes.</summary>
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/tokens", CreateAsync).RequireAuthorization(Roles.AdminPolicy).WithTags("Tokens").WithName("CreateToken");
        return app;
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
