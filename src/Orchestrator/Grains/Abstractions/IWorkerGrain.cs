using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Grains.Abstractions;

/// <summary>One worker process (key: its id): its registration (owner token, numerics check) and the heartbeats that renew its
/// leases; it asks the scheduler for the worker's leases and refuses them to a worker whose numerics are wrong.</summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Stores (or refreshes) the worker's registration, owned by token <paramref name="tokenId"/>.</summary>
    Task<RegisterWorkerResponse> RegisterAsync(RegisterWorkerRequest request, Guid tokenId);
    /// <summary>The token the worker registered with; null when no such worker is registered.</summary>
    Task<Guid?> OwnerAsync();
    /// <summary>Renews the worker's leases; answers with trials to cancel and leases it lost.</summary>
    Task<HeartbeatResponse> HeartbeatAsync(HeartbeatRequest request);
    /// <summary>Leases trials for the worker (none when its numerics self-check failed).</summary>
    Task<LeaseGrant[]> LeaseAsync(LeaseRequest request);
}
