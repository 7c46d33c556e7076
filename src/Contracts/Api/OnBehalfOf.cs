namespace Dggrn.Contracts.Api;

/// <summary>Headers by which an admin service token (the dashboard's) acts for a signed-in user, so that ownership and
/// role rules apply to that user rather than to the service. Ignored from any other token (refused with 401).</summary>
public static class OnBehalfOf
{
    /// <summary>The user's name (the token name they signed in with), URI-escaped.</summary>
    public const string UserHeader = "X-Dggrn-On-Behalf-Of";

    /// <summary>The user's role: admin, submitter or viewer.</summary>
    public const string RoleHeader = "X-Dggrn-On-Behalf-Of-Role";
}
