using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Dggrn.Orchestrator.Infrastructure;

/// <summary>Lets `dotnet ef migrations add` build the context without a running host.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<LabDbContext>
{
    public LabDbContext CreateDbContext(string[] args)
    {
        var b = new DbContextOptionsBuilder<LabDbContext>();
        LabDbContext.Configure(b, Environment.GetEnvironmentVariable("DGGRN_DESIGN_PG") ?? "Host=127.0.0.1;Database=dggrn_design");
        return new LabDbContext(b.Options);
    }
}
