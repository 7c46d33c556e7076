using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Grains;

/// <summary>The queue. Stateless in memory: the Pending rows in PostgreSQL are the queue, so a new activation (after a
/// silo dies) carries on with nothing to rebuild. Leases interleave (see <see cref="ISchedulerGrain.LeaseAsync"/>): one
/// activation handing out one lease at a time capped the whole cluster at what one lease's round trips allow.</summary>
public sealed class SchedulerGrain(LeaseStore leases, ILogger<SchedulerGrain> log) : Grain, ISchedulerGrain
{
    public Task<LeaseGrant[]> LeaseAsync(string workerId, LeaseRequest request) => leases.LeaseAsync(workerId, request);

    public Task<string> GetSiloAsync() => Task.FromResult(RuntimeIdentity);

    public async Task<int> ReapAsync()
    {
        var rows = await leases.ReapExpiredAsync();
        foreach (var r in rows)
            log.LogWarning("Lease of trial {Trial} (attempt {Attempt}, worker {Worker}) expired: now {State}", r.TrialId, r.Attempt, r.WorkerId, r.To);
        return rows.Count;
    }
}
