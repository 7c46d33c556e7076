namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>The membership table version of one cluster (deployment): bumped by every membership write.</summary>
public sealed class OrleansMembershipVersionEntity
{
    public required string DeploymentId { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public int Version { get; set; }
}
