using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="ArtifactEntity"/>.</summary>
public sealed class ArtifactEntityTypeConfiguration : IEntityTypeConfiguration<ArtifactEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<ArtifactEntity> e)
    {
        e.ToTable("artifacts");
        e.HasIndex(x => new { x.TrialId, x.Epoch, x.Kind });
    }
}
