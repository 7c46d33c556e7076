namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>One silo of one cluster: address, status, liveness and suspicions.</summary>
public sealed class OrleansMembershipEntity
{
    public required string DeploymentId { get; set; }
    public required string Address { get; set; }
    public int Port { get; set; }
    public int Generation { get; set; }
    public required string SiloName { get; set; }
    public required string HostName { get; set; }
    /// <summary>Orleans SiloStatus as an integer (3 = Active, 6 = Dead).</summary>
    public int Status { get; set; }
    public int ProxyPort { get; set; }
    /// <summary>"silo,time|silo,time" as Orleans formats it; null when none.</summary>
    public string? SuspectTimes { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset IAmAliveTime { get; set; }
}
