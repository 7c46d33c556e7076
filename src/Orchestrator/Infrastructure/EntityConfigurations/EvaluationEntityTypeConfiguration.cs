using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="EvaluationEntity"/>.</summary>
public sealed class EvaluationEntityTypeConfiguration : IEntityTypeConfiguration<EvaluationEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<EvaluationEntity> e)
    {
        e.ToTable("evaluations");
        e.HasIndex(x => new { x.TrialId, x.Epoch, x.Axis }).IsUnique();
    }
}
