using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="CheckpointEntity"/>.</summary>
public sealed class CheckpointEntityTypeConfiguration : IEntityTypeConfiguration<CheckpointEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<CheckpointEntity> e)
    {
        e.ToTable("checkpoints");
        e.HasIndex(x => new { x.TrialId, x.Epoch });
        e.HasIndex(x => x.Key).IsUnique();
    }
}
