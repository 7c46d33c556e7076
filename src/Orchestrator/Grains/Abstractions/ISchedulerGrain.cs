using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Grains.Abstractions;

/// <summary>The queue (one activation, key 0): grants leases (priority, fair share, device and memory fit) and, on its own
/// timer, takes back leases whose holders stopped renewing them.</summary>
/// <remarks>The queue itself is the Pending rows in PostgreSQL, so an activation on another silo (after one died) carries on
/// with nothing to rebuild; every silo touches the grain when it starts, and every lease request reaches it, so its timer
/// is running whenever a silo is.</remarks>
public interface ISchedulerGrain : IGrainWithIntegerKey
{
    /// <summary>Leases trials that fit the asking worker and tells each trial's grain about its lease.</summary>
    /// <remarks>Interleaved: leases of different workers run concurrently; PostgreSQL row locks keep them apart.</remarks>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<LeaseGrant[]> LeaseAsync(string workerId, LeaseRequest request);
    /// <summary>Returns lapsed leases to the queue (or fails trials out of attempts) now; returns how many changed. The grain's
    /// timer does this every Orchestrator:LeaseScanMilliseconds.</summary>
    Task<int> ReapAsync();
    /// <summary>Activates the grain (and so its lease timer) if it is not; answers the silo it runs on.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<string> GetSiloAsync();
}
