using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="ExperimentEntity"/>.</summary>
public sealed class ExperimentEntityTypeConfiguration : IEntityTypeConfiguration<ExperimentEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<ExperimentEntity> e)
    {
        e.ToTable("experiments");
        e.Property(x => x.State).HasConversion<string>();
        e.HasIndex(x => x.CreatedAt);
    }
}
