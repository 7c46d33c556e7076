using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="OrleansMembershipVersionEntity"/>.</summary>
public sealed class OrleansMembershipVersionEntityTypeConfiguration : IEntityTypeConfiguration<OrleansMembershipVersionEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<OrleansMembershipVersionEntity> e)
    {
        e.ToTable("orleans_membership_version");
        e.HasKey(x => x.DeploymentId);
    }
}
