using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Orchestrator.Hosting;
using Dggrn.Tests.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Dggrn.Orchestrator.Tests;

/// <summary>A two-silo TestingHost cluster whose membership is the project's ADO.NET schema on a fresh database,
/// so that any silo (not only the primary) can be killed.</summary>
public sealed class LabTestCluster : IAsyncLifetime
{
    public PostgresDatabase Database { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync("tc");
        var b = new DbContextOptionsBuilder<LabDbContext>();
        LabDbContext.Configure(b, Database.ConnectionString);
        await using (var ctx = new LabDbContext(b.Options)) await ctx.Database.MigrateAsync();

        var builder = new TestClusterBuilder(2);
        builder.Options.UseTestClusterMembership = false;
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Lab"] = Database.ConnectionString,
            ["Orchestrator:LeaseTtlSeconds"] = "3",
            ["Orchestrator:LeaseScanMilliseconds"] = "200",
        }));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Database.DisposeAsync();
    }

    sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var cs = silo.Configuration["ConnectionStrings:Lab"]!;
            silo.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = cs; });
            silo.UseFastFailover();
            silo.Services.AddOptions<OrchestratorOptions>().Bind(silo.Configuration.GetSection("Orchestrator"));
            silo.Services.AddLabSerialization();
            silo.Services.AddLabServices(cs);
            silo.AddLeaseScheduler();
        }
    }

    sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder client)
        {
            client.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = configuration["ConnectionStrings:Lab"]!; });
            client.Services.AddLabSerialization();
        }
    }
}
