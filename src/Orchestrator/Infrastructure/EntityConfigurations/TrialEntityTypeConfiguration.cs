using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="TrialEntity"/>.</summary>
public sealed class TrialEntityTypeConfiguration : IEntityTypeConfiguration<TrialEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<TrialEntity> e)
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
        e.HasIndex(x => new { x.ExperimentId, x.CreatedAt, x.Key }).HasFilter($"state = {StateSql.Pending} AND NOT paused").HasDatabaseName("ix_trials_pending_queue");
    }
}
