using Microsoft.EntityFrameworkCore;

namespace Dggrn.Contracts.Storage;

/// <summary>The platform's PostgreSQL schema (the system of record).</summary>
/// <remarks>
/// Add a migration after changing the model:
/// <c>dotnet ef migrations add NAME --project src/Contracts --output-dir Storage/Migrations</c>.
/// Migrations are applied at orchestrator start-up (MigrateAsync).
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

    protected override void OnModelCreating(ModelBuilder m)
    {
        m.Entity<ExperimentEntity>(e =>
        {
            e.ToTable("experiments");
            e.Property(x => x.State).HasConversion<string>();
            e.HasIndex(x => x.CreatedAt);
        });
        m.Entity<TrialEntity>(e =>
        {
            e.ToTable("trials");
            e.Property(x => x.State).HasConversion<string>();
            e.Property(x => x.ConfigJson).HasColumnType("jsonb");
            e.Property(x => x.ResultJson).HasColumnType("jsonb");
            e.Property(x => x.EnvironmentJson).HasColumnType("jsonb");
            e.HasOne(x => x.Experiment).WithMany(x => x.Trials).HasForeignKey(x => x.ExperimentId);
            e.HasIndex(x => new { x.ExperimentId, x.Key }).IsUnique();
            e.HasIndex(x => new { x.Identity, x.State });
            e.HasIndex(x => x.State);
            e.HasIndex(x => new { x.ExperimentId, x.State });
            // The queue: each experiment's next pending trials in order, read by the lease query a few rows at a time.
            e.HasIndex(x => new { x.ExperimentId, x.CreatedAt, x.Key }).HasFilter("state = 'Pending' AND NOT paused").HasDatabaseName("ix_trials_pending_queue");
        });
        m.Entity<TrialTransitionEntity>(e =>
        {
            e.ToTable("trial_transitions");
            e.Property(x => x.FromState).HasConversion<string>();
            e.Property(x => x.ToState).HasConversion<string>();
            e.HasIndex(x => new { x.TrialId, x.At });
        });
        m.Entity<WorkerEntity>(e =>
        {
            e.ToTable("workers");
            e.Property(x => x.DevicesJson).HasColumnType("jsonb");
            e.Property(x => x.NumericsJson).HasColumnType("jsonb");
        });
        m.Entity<MetricEntity>(e =>
        {
            e.ToTable("metrics");
            e.HasIndex(x => new { x.TrialId, x.Name, x.Step }).IsUnique();
            e.HasIndex(x => x.Id);
        });
        m.Entity<MetricRollupEntity>(e =>
        {
            // Filled by triggers on metrics (migration MetricRollups), read by charts: see MetricRollups.
            e.ToTable("metric_rollups");
            e.HasKey(x => new { x.TrialId, x.Name, x.Level, x.Bucket });
        });
        m.Entity<MetricBatchEntity>(e =>
        {
            e.ToTable("metric_batches");
            e.HasKey(x => new { x.WorkerId, x.TrialId, x.Attempt, x.Sequence });
        });
        m.Entity<CheckpointEntity>(e =>
        {
            e.ToTable("checkpoints");
            e.HasIndex(x => new { x.TrialId, x.Epoch });
            e.HasIndex(x => x.Key).IsUnique();
        });
        m.Entity<ArtifactEntity>(e =>
        {
            e.ToTable("artifacts");
            e.HasIndex(x => new { x.TrialId, x.Epoch, x.Kind });
        });
        m.Entity<EvaluationEntity>(e =>
        {
            e.ToTable("evaluations");
            e.HasIndex(x => new { x.TrialId, x.Epoch, x.Axis }).IsUnique();
        });
        m.Entity<TrialLogEntity>(e =>
        {
            e.ToTable("trial_logs");
            e.HasIndex(x => new { x.TrialId, x.Id });
        });
        m.Entity<ApiTokenEntity>(e =>
        {
            e.ToTable("api_tokens");
            e.HasIndex(x => x.TokenHash).IsUnique();
        });
        ConfigureOrleans(m);
    }

    // Orleans ADO.NET clustering schema; the provider's queries are seeded as data (OrleansClusteringQueries).
    static void ConfigureOrleans(ModelBuilder m)
    {
        m.Entity<OrleansQueryEntity>(e =>
        {
            e.ToTable("orleansquery");
            e.HasKey(x => x.QueryKey);
            e.Property(x => x.QueryKey).HasColumnName("querykey").HasMaxLength(64);
            e.Property(x => x.QueryText).HasColumnName("querytext");
            e.HasData(OrleansClusteringQueries.All.Select(kv => new OrleansQueryEntity { QueryKey = kv.Key, QueryText = kv.Value }));
        });
        m.Entity<OrleansMembershipVersionEntity>(e =>
        {
            e.ToTable("orleans_membership_version");
            e.HasKey(x => x.DeploymentId);
        });
        m.Entity<OrleansMembershipEntity>(e =>
        {
            e.ToTable("orleans_membership");
            e.HasKey(x => new { x.DeploymentId, x.Address, x.Port, x.Generation });
            e.HasOne<OrleansMembershipVersionEntity>().WithMany().HasForeignKey(x => x.DeploymentId);
        });
    }
}
