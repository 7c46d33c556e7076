namespace Dggrn.Contracts.Storage;

// Orleans ADO.NET clustering tables, owned by this project's migrations. The provider reads its SQL from
// orleansquery (see OrleansClusteringQueries) and binds the parameters named there; column names below are ours.

/// <summary>A stored query the Orleans ADO.NET provider runs (table "orleansquery").</summary>
public sealed class OrleansQueryEntity
{
    public required string QueryKey { get; set; }
    public required string QueryText { get; set; }
}

/// <summary>The membership table version of one cluster (deployment): bumped by every membership write.</summary>
public sealed class OrleansMembershipVersionEntity
{
    public required string DeploymentId { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public int Version { get; set; }
}

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
