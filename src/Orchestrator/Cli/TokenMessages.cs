namespace Dggrn.Orchestrator.Cli;

/// <summary>POST /api/tokens body as the CLI sends it.</summary>
public sealed record TokenCreateRequest(string Name, string Role, bool? SingleUse = null, int? ExpiresInSeconds = null);

/// <summary>POST /api/tokens answer: the token's id and its secret (shown once).</summary>
public sealed record TokenCreated(string Id, string Token);
