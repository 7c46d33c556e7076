using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Grains.Abstractions;

namespace Dggrn.Orchestrator.Apis;

/// <summary>GET /api/cluster: which silo answered, where the scheduler lives, and the cluster's members.</summary>
public static class ClusterApi
{
    /// <summary>Cluster view returned by GET /api/cluster.</summary>
    public sealed record ClusterView(string Silo, string Scheduler, ClusterMember[] Members);

    /// <summary>One silo and its Orleans status.</summary>
    public sealed record ClusterMember(string Silo, string Status);

    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster", GetAsync).RequireAuthorization(Roles.ReadPolicy).WithTags("Cluster");
        return app;
    }

    static async Task<ClusterView> GetAsync(IGrainFactory grains, ILocalSiloDetails silo)
    {
        var scheduler = await grains.GetGrain<ISchedulerGrain>(0).GetSiloAsync();
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false);
        return new ClusterView(silo.SiloAddress.ToString(), scheduler,
            [.. hosts.Select(h => new ClusterMember(h.Key.ToString(), h.Value.ToString()))]);
    }
}
