using Dggrn.Contracts.Api;
using Dggrn.Contracts.Storage;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Scheduling;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Grains;

/// <summary>A trial: serialises the lease holder's reports and user control; every change is written through to PostgreSQL.</summary>
/// <remarks>Activation reads nothing: worker reports are conditional updates that find (or miss) the row themselves,
/// and a thousand short-lived trial activations must stay cheap. User control checks existence when it is asked for.</remarks>
public sealed class TrialGrain(TrialStore store, ControlStore control, IDbContextFactory<LabDbContext> db) : Grain, ITrialGrain
{
    Guid Id => this.GetPrimaryKey();

    async Task<bool> ExistsAsync()
    {
        await using var ctx = await db.CreateDbContextAsync();
        return await ctx.Trials.AnyAsync(t => t.Id == Id);
    }

    public Task<OpResult> StartedAsync(TrialStartedRequest request) => store.StartedAsync(Id, request);
    public Task<OpResult> CompleteAsync(TrialCompletedRequest request) => store.CompleteAsync(Id, request);
    public Task<OpResult> FailedAsync(TrialFailedRequest request) => store.FailedAsync(Id, request);
    public Task<OpResult> ReleaseAsync(TrialReleaseRequest request) => store.ReleaseAsync(Id, request);

    public async Task<OpResult> CancelAsync(string by)
    {
        if (!await ExistsAsync()) return OpResult.NotFound($"trial {Id} does not exist");
        await control.CancelAsync("t.id = @id", Id, by);
        return OpResult.Ok;
    }

    public async Task<OpResult> PauseAsync(string by)
    {
        if (!await ExistsAsync()) return OpResult.NotFound($"trial {Id} does not exist");
        await control.PauseAsync("t.id = @id", Id, by);
        return OpResult.Ok;
    }

    public async Task<OpResult> ResumeAsync()
    {
        if (!await ExistsAsync()) return OpResult.NotFound($"trial {Id} does not exist");
        await control.ResumeAsync("t.id = @id", Id);
        return OpResult.Ok;
    }
}
