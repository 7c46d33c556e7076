using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dggrn.Orchestrator.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class DropDuplicateMetricIdIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The primary key already indexes metrics.id; the second b-tree on the same column was maintained by every
            // metric insert for nothing (docs/benchmarks.md, session 7 ingest).
            migrationBuilder.DropIndex(
                name: "ix_metrics_id",
                table: "metrics");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_metrics_id",
                table: "metrics",
                column: "id");
        }
    }
}
