using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="MetricBatchEntity"/>.</summary>
public sealed class MetricBatchEntityTypeConfiguration : IEntityTypeConfiguration<MetricBatchEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<MetricBatchEntity> e)
    {
        e.ToTable("metric_batches");
        e.HasKey(x => new { x.WorkerId, x.TrialId, x.Attempt, x.Sequence });
    }
}
