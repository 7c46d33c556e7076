using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Grains.Abstractions;

/// <summary>The queue (one activation, key 0): hands out leases and takes back lapsed ones.</summary>
public interface ISchedulerGrain : IGrainWithIntegerKey
{
    /// <summary>Leases trials that fit the asking worker (priority, then fair share across experiments).</summary>
    Task<LeaseGrant[]> LeaseAsync(string workerId, LeaseRequest request);
    /// <summary>Returns lapsed leases to the queue (or fails trials out of attempts); returns how many changed.</summary>
    Task<int> ReapAsync();
    /// <summary>The silo the scheduler is activated on (diagnostics and failover tests).</summary>
    Task<string> GetSiloAsync();
}
