using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Scheduling;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Grains;

/// <summary>The queue: grants leases and reaps lapsed ones on its own timer (see <see cref="ISchedulerGrain"/>).</summary>
public sealed class SchedulerGrain(LeaseStore leases, IOptions<OrchestratorOptions> options, ILogger<SchedulerGrain> log) : Grain, ISchedulerGrain
{
    IGrainTimer? _reaper;

    public override Task OnActivateAsync(CancellationToken ct)
    {
        // KeepAlive: the lease timer must not stop because no call came for a while (that is when leases lapse).
        _reaper = this.RegisterGrainTimer(ReapTickAsync, new GrainTimerCreationOptions(TimeSpan.Zero,
            TimeSpan.FromMilliseconds(Math.Max(50, options.Value.LeaseScanMilliseconds))) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken ct)
    {
        _reaper?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<LeaseGrant[]> LeaseAsync(string workerId, LeaseRequest request)
    {
        var grants = await leases.LeaseAsync(workerId, request);
        foreach (var g in grants)
            _ = GrainFactory.GetGrain<ITrialGrain>(g.TrialId).GrantedAsync(new TrialLease(TrialState.Leased, g.LeaseId, workerId, g.Attempt, g.ExpiresAt));
        return grants;
    }

    public Task<string> GetSiloAsync() => Task.FromResult(RuntimeIdentity);

    public async Task<int> ReapAsync()
    {
        var rows = await leases.ReapExpiredAsync();
        foreach (var r in rows)
        {
            log.LogWarning("Lease of trial {Trial} (attempt {Attempt}, worker {Worker}) expired: now {State}", r.TrialId, r.Attempt, r.WorkerId, r.To);
            _ = GrainFactory.GetGrain<ITrialGrain>(r.TrialId).ForgetAsync();
        }
        return rows.Count;
    }

    async Task ReapTickAsync(CancellationToken ct)
    {
        try { await ReapAsync(); }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // PostgreSQL restarting, say: the next tick tries again.
            log.LogWarning(e, "Lease scan failed; retrying at the next tick");
        }
    }
}
