using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dggrn.Orchestrator.Infrastructure.EntityConfigurations;

/// <summary>Table and indexes of <see cref="ApiTokenEntity"/>.</summary>
public sealed class ApiTokenEntityTypeConfiguration : IEntityTypeConfiguration<ApiTokenEntity>
{
    /// <inheritdoc/>
    public void Configure(EntityTypeBuilder<ApiTokenEntity> e)
    {
        e.ToTable("api_tokens");
        e.HasIndex(x => x.TokenHash).IsUnique();
    }
}
