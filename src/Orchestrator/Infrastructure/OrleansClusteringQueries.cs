namespace Dggrn.Orchestrator.Infrastructure;

/// <summary>The SQL this project gives Orleans' ADO.NET clustering provider (PostgreSQL), keyed as the provider asks.</summary>
/// <remarks>
/// Contract (Microsoft.Orleans.Clustering.AdoNet 10.x): the provider loads <c>SELECT QueryKey, QueryText FROM OrleansQuery</c>
/// and requires every key below. Parameters arrive by name (DeploymentId, Address, Port, Generation, SiloName, HostName,
/// Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime, Version); reads return columns named Version, Address, Port,
/// Generation, SiloName, HostName, Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime (matched case-insensitively).
/// Membership reads always return the version row (members joined to it), and writes bump the version only when the
/// caller's version still matches, so concurrent writers fail instead of overwriting each other.
/// </remarks>
public static class OrleansClusteringQueries
{
    const string Members = """
        SELECT v.version AS Version, m.address AS Address, m.port AS Port, m.generation AS Generation, m.silo_name AS SiloName,
               m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort, m.suspect_times AS SuspectTimes,
               m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime
        FROM orleans_membership_version v
        """;

    const string SameSilo = "m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation";

    /// <summary>Query key -> SQL.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        ["InsertMembershipVersionKey"] = """
            WITH ins AS (INSERT INTO orleans_membership_version (deployment_id, timestamp, version)
                         VALUES (@DeploymentId, now(), 0) ON CONFLICT DO NOTHING RETURNING 1)
            SELECT count(*) > 0 FROM ins
            """,
        ["MembershipReadAllKey"] = Members + """

            LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
            WHERE v.deployment_id = @DeploymentId
            """,
        ["MembershipReadRowKey"] = Members + $"""

            LEFT JOIN orleans_membership m ON {SameSilo}
            WHERE v.deployment_id = @DeploymentId
            """,
        ["InsertMembershipKey"] = $"""
            WITH v AS (UPDATE orleans_membership_version SET version = version + 1, timestamp = now()
                       WHERE deployment_id = @DeploymentId AND version = @Version
                         AND NOT EXISTS (SELECT 1 FROM orleans_membership m WHERE {SameSilo})
                       RETURNING deployment_id),
            ins AS (INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                                                    proxy_port, suspect_times, start_time, i_am_alive_time)
                    SELECT v.deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, NULL,
                           @StartTime, @IAmAliveTime FROM v
                    RETURNING 1)
            SELECT count(*) = 1 FROM ins
            """,
        ["UpdateMembershipKey"] = $"""
            WITH v AS (UPDATE orleans_membership_version SET version = version + 1, timestamp = now()
                       WHERE deployment_id = @DeploymentId AND version = @Version
                         AND EXISTS (SELECT 1 FROM orleans_membership m WHERE {SameSilo})
                       RETURNING deployment_id),
            upd AS (UPDATE orleans_membership m SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
                    FROM v WHERE {SameSilo}
                    RETURNING 1)
            SELECT count(*) = 1 FROM upd
            """,
        ["UpdateIAmAlivetimeKey"] = $"""
            UPDATE orleans_membership m SET i_am_alive_time = @IAmAliveTime WHERE {SameSilo}
            """,
        ["DeleteMembershipTableEntriesKey"] = """
            DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId;
            DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId
            """,
        ["GatewaysQueryKey"] = """
            SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation
            FROM orleans_membership WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
            """,
        ["CleanupDefunctSiloEntriesKey"] = """
            DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3
            """,
        ["CleanupDefunctSiloEntryKey"] = $"""
            DELETE FROM orleans_membership m WHERE {SameSilo} AND m.status = 6 AND m.start_time = @StartTime
              AND m.i_am_alive_time = @IAmAliveTime AND m.suspect_times IS NOT DISTINCT FROM @SuspectTimes
            """,
    };
}
