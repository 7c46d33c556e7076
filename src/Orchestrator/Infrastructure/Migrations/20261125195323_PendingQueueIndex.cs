using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dggrn.Orchestrator.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PendingQueueIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_trials_pending_queue",
                table: "trials",
                columns: new[] { "experiment_id", "created_at", "key" },
                filter: "state = 'Pending' AND NOT paused");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_trials_pending_queue",
                table: "trials");
        }
    }
}
