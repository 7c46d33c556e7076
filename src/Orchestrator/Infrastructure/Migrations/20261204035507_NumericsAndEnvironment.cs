using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dggrn.Orchestrator.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class NumericsAndEnvironment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "numerics_json",
                table: "workers",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "numerics_passed",
                table: "workers",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "diverged",
                table: "trials",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "environment_json",
                table: "trials",
                type: "jsonb",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "numerics_json",
                table: "workers");

            migrationBuilder.DropColumn(
                name: "numerics_passed",
                table: "workers");

            migrationBuilder.DropColumn(
                name: "diverged",
                table: "trials");

            migrationBuilder.DropColumn(
                name: "environment_json",
                table: "trials");
        }
    }
}
