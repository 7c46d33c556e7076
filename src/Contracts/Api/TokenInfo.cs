namespace Dggrn.Contracts.Api;

/// <summary>GET /api/tokens (admin): one token as listed, without its secret or hash.</summary>
public sealed record TokenInfo(
    Guid Id, string Name, string Role, bool SingleUse, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? UsedAt, DateTimeOffset? RevokedAt);
