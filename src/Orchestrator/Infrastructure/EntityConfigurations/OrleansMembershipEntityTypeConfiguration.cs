using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="OrleansMembershipEntity"/>.</summary>
public sealed class OrleansMembershipEntityTypeConfiguration : IEntityTypeConfiguration<OrleansMembershipEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<OrleansMembershipEntity> e)
    {
        e.ToTable("orleans_membership");
        e.HasKey(x => new { x.DeploymentId, x.Address, x.Port, x.Generation });
        e.HasOne<OrleansMembershipVersionEntity>().WithMany().HasForeignKey(x => x.DeploymentId);
    }
}
