using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and key of <see cref="MetricRollupEntity"/>: filled by triggers on metrics (migration MetricRollups), read by charts.</summary>
public sealed class MetricRollupEntityTypeConfiguration : IEntityTypeConfiguration<MetricRollupEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<MetricRollupEntity> e)
    {
        e.ToTable("metric_rollups");
        e.HasKey(x => new { x.TrialId, x.Name, x.Level, x.Bucket });
    }
}
