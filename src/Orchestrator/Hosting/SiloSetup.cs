using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Metrics;
using Dggrn.Orchestrator.Queries;
using Dggrn.Orchestrator.Reports;
using Dggrn.Orchestrator.Scheduling;
using Dggrn.Orchestrator.Specs;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;

namespace Dggrn.Orchestrator.Hosting;

/// <summary>Silo and service registration shared by the orchestrator host and the TestingHost silos.</summary>
public static class SiloSetup
{
    /// <summary>Clustering (Localhost or AdoNet on PostgreSQL) and serialization of the Contracts wire types.</summary>
    public static ISiloBuilder ConfigureLabSilo(this ISiloBuilder silo, OrchestratorOptions o, string connectionString)
    {
        if (o.Clustering.Equals("AdoNet", StringComparison.OrdinalIgnoreCase))
        {
            silo.UseAdoNetClustering(a => { a.Invariant = "Npgsql"; a.ConnectionString = connectionString; });
            silo.Configure<ClusterOptions>(c => { c.ClusterId = o.ClusterId; c.ServiceId = o.ServiceId; });
            silo.ConfigureEndpoints(AdvertisedAddress(o.AdvertisedAddress), o.SiloPort, o.GatewayPort, listenOnAnyHostAddress: o.ListenOnAnyAddress);
            if (o.FastFailover) silo.UseFastFailover();
        }
        else if (o.Clustering.Equals("Localhost", StringComparison.OrdinalIgnoreCase))
            silo.UseLocalhostClustering(o.SiloPort, o.GatewayPort, serviceId: o.ServiceId, clusterId: o.ClusterId);
        else
            throw new InvalidOperationException($"Orchestrator:Clustering is '{o.Clustering}'; expected Localhost or AdoNet");
        silo.Services.AddLabSerialization();
        return silo.AddLeaseScheduler();
    }

    /// <summary>The scheduler grain's timer takes back lapsed leases: every silo wakes the grain when it starts (and every lease
    /// request reaches it), so the timer runs whenever a silo does.</summary>
    public static ISiloBuilder AddLeaseScheduler(this ISiloBuilder silo) =>
        silo.AddStartupTask((services, _) => services.GetRequiredService<IGrainFactory>().GetGrain<Grains.Abstractions.ISchedulerGrain>(0).GetSiloAsync());

    /// <summary>Declares a dead silo in 1-2 s instead of ~15 s (STACK.md): for tests and small clusters on one network.</summary>
    public static ISiloBuilder UseFastFailover(this ISiloBuilder silo) =>
        silo.Configure<ClusterMembershipOptions>(m =>
        {
            m.ProbeTimeout = TimeSpan.FromSeconds(1);
            m.NumMissedProbesLimit = 2;
            m.NumVotesForDeathDeclaration = 1;
            m.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            m.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        });

    /// <summary>The IPv4 address this silo advertises in the membership table.</summary>
    internal static System.Net.IPAddress AdvertisedAddress(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured)) return System.Net.IPAddress.Loopback;
        if (System.Net.IPAddress.TryParse(configured, out var ip)) return ip;
        System.Net.IPAddress[] all;
        try { all = System.Net.Dns.GetHostAddresses(configured); }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new InvalidOperationException($"Orchestrator:AdvertisedAddress '{configured}' does not resolve: {e.Message}", e);
        }
        var found = all.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return found ?? throw new InvalidOperationException(
            $"Orchestrator:AdvertisedAddress '{configured}' does not resolve to an IPv4 address");
    }

    /// <summary>Contracts records cross grain calls as System.Text.Json; the project's own grain types use generated codecs.</summary>
    public static IServiceCollection AddLabSerialization(this IServiceCollection services) =>
        services.AddSerializer(s => s.AddJsonSerializer(isSupported: t => t.Namespace?.StartsWith("Dggrn.Contracts", StringComparison.Ordinal) == true,
            // The wire dialect: a NaN loss or an infinite PSNR crosses a grain call like any other value.
            jsonSerializerOptions: Dggrn.Contracts.Api.WireJson.Options));

    /// <summary>Database access and the stores the grains and endpoints use.</summary>
    public static IServiceCollection AddLabServices(this IServiceCollection services, string connectionString)
    {
        services.AddDbContextFactory<LabDbContext>(b => LabDbContext.Configure(b, connectionString));
        // No reset on close: the metric ingestor's temporary COPY table then lives once per pooled connection instead of
        // being dropped (DISCARD ALL) and re-created for every batch. Nothing else here sets session state.
        // Prepared, generic plans: the lifecycle statements are large CTEs that PostgreSQL spent longer planning than running
        // (pg_stat_statements, 2,000 lifecycles: 2.8 s planning, 2.6 s executing). Auto-prepare alone kept re-planning them
        // (custom plans per call); a generic plan is right here because this source serves only the write side, whose
        // statements select by ids and id arrays, where a plan per value gains nothing. Together: 0.3 s of planning.
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(connectionString)
        {
            NoResetOnClose = true, MaxAutoPrepare = 64, AutoPrepareMinUsages = 2, Options = "-c plan_cache_mode=force_generic_plan",
        }.ConnectionString).Build());
        services.AddSingleton<LeaseStore>();
        services.AddSingleton<TrialStore>();
        services.AddSingleton<ControlStore>();
        services.AddSingleton<ExperimentStore>();
        services.AddSingleton<WorkerReports>();
        services.AddSingleton<TrialWrites>();
        services.AddSingleton<MetricIngestor>();
        services.AddSingleton<DatasetResolver>();
        services.AddSingleton<SpecCompiler>();
        services.AddSingleton<LabQueries>();
        services.AddSingleton<ReportService>();
        services.AddSingleton<ScorecardService>();
        services.AddSingleton<HtmlReportService>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ExperimentAccess>();
        services.AddSingleton<TokenCache>();
        return services;
    }
}
