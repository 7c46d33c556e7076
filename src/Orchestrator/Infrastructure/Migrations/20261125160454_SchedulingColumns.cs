using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dggrn.Orchestrator.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class SchedulingColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "token_id",
                table: "workers",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "device",
                table: "trials",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "memory_estimate_bytes",
                table: "trials",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<bool>(
                name: "paused",
                table: "trials",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "retired_at",
                table: "checkpoints",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "token_id",
                table: "workers");

            migrationBuilder.DropColumn(
                name: "device",
                table: "trials");

            migrationBuilder.DropColumn(
                name: "memory_estimate_bytes",
                table: "trials");

            migrationBuilder.DropColumn(
                name: "paused",
                table: "trials");

            migrationBuilder.DropColumn(
                name: "retired_at",
                table: "checkpoints");
        }
    }
}
