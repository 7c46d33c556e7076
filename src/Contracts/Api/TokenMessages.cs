namespace Dggrn.Contracts.Api;

/// <summary>POST /api/tokens (admin): a new API token. Role: admin, submitter, viewer or worker.</summary>
public sealed record CreateTokenRequest(string Name, string Role, bool SingleUse = false, int? ExpiresInSeconds = null);

/// <summary>The new token's id and secret. The secret is shown once; only its SHA-256 is stored.</summary>
public sealed record CreateTokenResponse(Guid Id, string Token);
