using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Grains.Abstractions;

/// <summary>One worker process (key: its id): registration and heartbeats that renew its leases.</summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Stores (or refreshes) the worker's registration, owned by token <paramref name="tokenId"/>.</summary>
    Task<RegisterWorkerResponse> RegisterAsync(RegisterWorkerRequest request, Guid tokenId);
    /// <summary>Renews the worker's leases; answers with trials to cancel and leases it lost.</summary>
    Task<HeartbeatResponse> HeartbeatAsync(HeartbeatRequest request);
}
