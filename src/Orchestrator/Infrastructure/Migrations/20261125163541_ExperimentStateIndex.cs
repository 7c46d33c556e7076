using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dggrn.Orchestrator.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ExperimentStateIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_trials_experiment_id_state",
                table: "trials",
                columns: new[] { "experiment_id", "state" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_trials_experiment_id_state",
                table: "trials");
        }
    }
}
