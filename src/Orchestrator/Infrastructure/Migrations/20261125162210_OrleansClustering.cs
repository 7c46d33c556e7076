using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Dggrn.Orchestrator.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class OrleansClustering : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "orleans_membership_version",
                columns: table => new
                {
                    deployment_id = table.Column<string>(type: "text", nullable: false),
                    timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_orleans_membership_version", x => x.deployment_id);
                });

            migrationBuilder.CreateTable(
                name: "orleansquery",
                columns: table => new
                {
                    querykey = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    querytext = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_orleansquery", x => x.querykey);
                });

            migrationBuilder.CreateTable(
                name: "orleans_membership",
                columns: table => new
                {
                    deployment_id = table.Column<string>(type: "text", nullable: false),
                    address = table.Column<string>(type: "text", nullable: false),
                    port = table.Column<int>(type: "integer", nullable: false),
                    generation = table.Column<int>(type: "integer", nullable: false),
                    silo_name = table.Column<string>(type: "text", nullable: false),
                    host_name = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    proxy_port = table.Column<int>(type: "integer", nullable: false),
                    suspect_times = table.Column<string>(type: "text", nullable: true),
                    start_time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    i_am_alive_time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_orleans_membership", x => new { x.deployment_id, x.address, x.port, x.generation });
                    table.ForeignKey(
                        name: "fk_orleans_membership_orleans_membership_version_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "orleans_membership_version",
                        principalColumn: "deployment_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "orleansquery",
                columns: new[] { "querykey", "querytext" },
                values: new object[,]
                {
                    { "CleanupDefunctSiloEntriesKey", "DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3" },
                    { "CleanupDefunctSiloEntryKey", "DELETE FROM orleans_membership m WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation AND m.status = 6 AND m.start_time = @StartTime\n  AND m.i_am_alive_time = @IAmAliveTime AND m.suspect_times IS NOT DISTINCT FROM @SuspectTimes" },
                    { "DeleteMembershipTableEntriesKey", "DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId;\nDELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId" },
                    { "GatewaysQueryKey", "SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation\nFROM orleans_membership WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0" },
                    { "InsertMembershipKey", "WITH v AS (UPDATE orleans_membership_version SET version = version + 1, timestamp = now()\n           WHERE deployment_id = @DeploymentId AND version = @Version\n             AND NOT EXISTS (SELECT 1 FROM orleans_membership m WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation)\n           RETURNING deployment_id),\nins AS (INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status,\n                                        proxy_port, suspect_times, start_time, i_am_alive_time)\n        SELECT v.deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, NULL,\n               @StartTime, @IAmAliveTime FROM v\n        RETURNING 1)\nSELECT count(*) = 1 FROM ins" },
                    { "InsertMembershipVersionKey", "WITH ins AS (INSERT INTO orleans_membership_version (deployment_id, timestamp, version)\n             VALUES (@DeploymentId, now(), 0) ON CONFLICT DO NOTHING RETURNING 1)\nSELECT count(*) > 0 FROM ins" },
                    { "MembershipReadAllKey", "SELECT v.version AS Version, m.address AS Address, m.port AS Port, m.generation AS Generation, m.silo_name AS SiloName,\n       m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort, m.suspect_times AS SuspectTimes,\n       m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime\nFROM orleans_membership_version v\nLEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id\nWHERE v.deployment_id = @DeploymentId" },
                    { "MembershipReadRowKey", "SELECT v.version AS Version, m.address AS Address, m.port AS Port, m.generation AS Generation, m.silo_name AS SiloName,\n       m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort, m.suspect_times AS SuspectTimes,\n       m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime\nFROM orleans_membership_version v\nLEFT JOIN orleans_membership m ON m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation\nWHERE v.deployment_id = @DeploymentId" },
                    { "UpdateIAmAlivetimeKey", "UPDATE orleans_membership m SET i_am_alive_time = @IAmAliveTime WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation" },
                    { "UpdateMembershipKey", "WITH v AS (UPDATE orleans_membership_version SET version = version + 1, timestamp = now()\n           WHERE deployment_id = @DeploymentId AND version = @Version\n             AND EXISTS (SELECT 1 FROM orleans_membership m WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation)\n           RETURNING deployment_id),\nupd AS (UPDATE orleans_membership m SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime\n        FROM v WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation\n        RETURNING 1)\nSELECT count(*) = 1 FROM upd" }
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "orleans_membership");

            migrationBuilder.DropTable(
                name: "orleansquery");

            migrationBuilder.DropTable(
                name: "orleans_membership_version");
        }
    }
}
