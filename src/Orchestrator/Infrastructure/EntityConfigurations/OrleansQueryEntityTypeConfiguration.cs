using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>The stored queries the Orleans ADO.NET provider runs, seeded as data (<see cref="OrleansClusteringQueries"/>).</summary>
public sealed class OrleansQueryEntityTypeConfiguration : IEntityTypeConfiguration<OrleansQueryEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<OrleansQueryEntity> e)
    {
        e.ToTable("orleansquery");
        e.HasKey(x => x.QueryKey);
        e.Property(x => x.QueryKey).HasColumnName("querykey").HasMaxLength(64);
        e.Property(x => x.QueryText).HasColumnName("querytext");
        e.HasData(Infrastructure.OrleansClusteringQueries.All.Select(kv => new OrleansQueryEntity { QueryKey = kv.Key, QueryText = kv.Value }));
    }
}
