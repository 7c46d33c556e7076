namespace Dggrn.Contracts.Api;

/// <summary>The roles an API token carries, as stored in api_tokens.role and sent in CreateTokenRequest.</summary>
public static class TokenRoles
{
    public const string Admin = "admin";
    public const string Submitter = "submitter";
    public const string Viewer = "viewer";
    public const string Worker = "worker";
}
