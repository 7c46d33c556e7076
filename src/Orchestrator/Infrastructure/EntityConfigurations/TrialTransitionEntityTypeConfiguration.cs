using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="TrialTransitionEntity"/>.</summary>
public sealed class TrialTransitionEntityTypeConfiguration : IEntityTypeConfiguration<TrialTransitionEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<TrialTransitionEntity> e)
    {
        e.ToTable("trial_transitions");
        e.Property(x => x.FromState).HasConversion<string>();
        e.Property(x => x.ToState).HasConversion<string>();
        e.HasIndex(x => new { x.TrialId, x.At });
    }
}
