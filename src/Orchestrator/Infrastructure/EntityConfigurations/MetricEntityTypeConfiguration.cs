using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="MetricEntity"/>.</summary>
public sealed class MetricEntityTypeConfiguration : IEntityTypeConfiguration<MetricEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<MetricEntity> e)
    {
        e.ToTable("metrics");
        e.HasIndex(x => new { x.TrialId, x.Name, x.Step }).IsUnique();
    }
}
