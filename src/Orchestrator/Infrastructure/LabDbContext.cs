using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Infrastructure;

/// <summary>The platform's PostgreSQL schema, the system of record: experiments, trials and every transition, leases,
/// workers, metrics, evaluations, checkpoint and image records, log lines, API tokens, and Orleans membership. Table and
/// column names are snake_case; each entity's table and indexes are in EntityConfigurations/.</summary>
/// <remarks>
/// Add a migration after changing the model:
/// <c>dotnet ef migrations add NAME --project src/Orchestrator --output-dir Infrastructure/Migrations</c>.
/// Migrations are applied at orchestrator start-up (MigrateAsync), which refuses a model changed without one.
/// Grains write through with plain SQL on the hot paths; EF serves the rest and the dashboard's reads.
/// </remarks>
public sealed class LabDbContext(DbContextOptions<LabDbContext> options) : DbContext(options)
{
    public DbSet<ExperimentEntity> Experiments => Set<ExperimentEntity>();
    public DbSet<TrialEntity> Trials => Set<TrialEntity>();
    public DbSet<TrialTransitionEntity> TrialTransitions => Set<TrialTransitionEntity>();
    public DbSet<WorkerEntity> Workers => Set<WorkerEntity>();
    public DbSet<MetricEntity> Metrics => Set<MetricEntity>();
    public DbSet<MetricBatchEntity> MetricBatches => Set<MetricBatchEntity>();
    public DbSet<MetricRollupEntity> MetricRollups => Set<MetricRollupEntity>();
    public DbSet<CheckpointEntity> Checkpoints => Set<CheckpointEntity>();
    public DbSet<ArtifactEntity> Artifacts => Set<ArtifactEntity>();
    public DbSet<EvaluationEntity> Evaluations => Set<EvaluationEntity>();
    public DbSet<TrialLogEntity> TrialLogs => Set<TrialLogEntity>();
    public DbSet<ApiTokenEntity> ApiTokens => Set<ApiTokenEntity>();
    public DbSet<OrleansMembershipEntity> OrleansMembership => Set<OrleansMembershipEntity>();

    /// <summary>Configures Npgsql with the snake_case naming the schema uses.</summary>
    public static void Configure(DbContextOptionsBuilder b, string connectionString) =>
        b.UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__ef_migrations_history"))
         .UseSnakeCaseNamingConvention();

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder m) => m.ApplyConfigurationsFromAssembly(typeof(LabDbContext).Assembly);
}
