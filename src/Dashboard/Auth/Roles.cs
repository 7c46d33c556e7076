using Dggrn.Contracts.Api;

namespace Dggrn.Dashboard.Auth;

/// <summary>Role names (as stored in api_tokens) and the policies built from them.</summary>
public static class Roles
{
    public const string Admin = TokenRoles.Admin;
    public const string Submitter = TokenRoles.Submitter;
    public const string Viewer = TokenRoles.Viewer;

    /// <summary>Submit, cancel, pause and resume: submitter or admin.</summary>
    public const string SubmitterPolicy = "submitter+";

    /// <summary>Admin pages.</summary>
    public const string AdminPolicy = "admin";

    /// <summary>Roles that may sign in to the dashboard (worker tokens may not).</summary>
    public static bool CanSignIn(string role) => role is Admin or Submitter or Viewer;
}
