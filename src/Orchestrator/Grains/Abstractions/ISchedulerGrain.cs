using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Grains.Abstractions;

/// <summary>The queue (one activation, key 0, no state in memory): hands out leases and takes back lapsed ones.</summary>
public interface ISchedulerGrain : IGrainWithIntegerKey
{
    /// <summary>Leases trials that fit the asking worker (priority, then fair share across experiments).</summary>
    /// <remarks>Interleaved: leases of different workers run concurrently; PostgreSQL row locks keep them apart (LeaseStore).</remarks>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<LeaseGrant[]> LeaseAsync(string workerId, LeaseRequest request);
    /// <summary>Returns lapsed leases to the queue (or fails trials out of attempts); returns how many changed.</summary>
    Task<int> ReapAsync();
    /// <summary>The silo the scheduler is activated on (diagnostics and failover tests).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<string> GetSiloAsync();
}
