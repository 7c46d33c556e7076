namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>An API token. Only the SHA-256 of the secret is stored.</summary>
public sealed class ApiTokenEntity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>"admin", "submitter", "viewer" or "worker".</summary>
    public required string Role { get; set; }
    public required string TokenHash { get; set; }
    /// <summary>One-time sign-in tokens are consumed at first use.</summary>
    public bool SingleUse { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
