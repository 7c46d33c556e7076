using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="TrialLogEntity"/>.</summary>
public sealed class TrialLogEntityTypeConfiguration : IEntityTypeConfiguration<TrialLogEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<TrialLogEntity> e)
    {
        e.ToTable("trial_logs");
        e.HasIndex(x => new { x.TrialId, x.Id });
    }
}
