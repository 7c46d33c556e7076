using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Auth;

/// <summary>Token roles and the authorization policies built on them.</summary>
public static class Roles
{
    public const string Admin = TokenRoles.Admin;
    public const string Submitter = TokenRoles.Submitter;
    public const string Viewer = TokenRoles.Viewer;
    public const string Worker = TokenRoles.Worker;

    /// <summary>All roles a token may carry.</summary>
    public static readonly string[] All = [Admin, Submitter, Viewer, Worker];

    /// <summary>Policy: read experiments, workers, reports (admin, submitter, viewer).</summary>
    public const string ReadPolicy = "read";
    /// <summary>Policy: submit and control experiments (admin, submitter).</summary>
    public const string SubmitPolicy = "submit";
    /// <summary>Policy: manage tokens (admin).</summary>
    public const string AdminPolicy = "admin";
    /// <summary>Policy: worker endpoints (worker tokens; admins too, for tooling).</summary>
    public const string WorkerPolicy = "worker";

    /// <summary>Claim holding the token's id.</summary>
    public const string TokenIdClaim = "dggrn:token";
}
