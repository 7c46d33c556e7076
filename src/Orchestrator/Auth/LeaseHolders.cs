using System.Collections.Concurrent;

namespace Dggrn.Orchestrator.Auth;

/// <summary>Lease id -> worker id for leases granted through this process, so a worker report needs no query to find
/// out which worker (and so which token) the lease belongs to.</summary>
/// <remarks>A lease id is issued to exactly one worker and never reused, so an entry can never become wrong; the
/// report's own conditional update still checks that the lease is the trial's live one. Unknown leases (granted by
/// another silo, or forgotten) fall back to the trial's row.</remarks>
public sealed class LeaseHolders
{
    const int Capacity = 200_000;
    readonly ConcurrentDictionary<Guid, string> _byLease = new();

    /// <summary>Remembers that <paramref name="leaseId"/> was granted to <paramref name="workerId"/>.</summary>
    public void Remember(Guid leaseId, string workerId)
    {
        if (_byLease.Count >= Capacity) _byLease.Clear(); // bounded; misses only cost the fallback query
        _byLease[leaseId] = workerId;
    }

    /// <summary>The worker the lease was granted to, when this process granted it.</summary>
    public string? Find(Guid leaseId) => _byLease.TryGetValue(leaseId, out var w) ? w : null;
}
