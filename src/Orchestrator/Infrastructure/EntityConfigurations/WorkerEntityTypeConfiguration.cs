using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="WorkerEntity"/>.</summary>
public sealed class WorkerEntityTypeConfiguration : IEntityTypeConfiguration<WorkerEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<WorkerEntity> e)
    {
        e.ToTable("workers");
        e.Property(x => x.DevicesJson).HasColumnType("jsonb");
        e.Property(x => x.NumericsJson).HasColumnType("jsonb");
    }
}
