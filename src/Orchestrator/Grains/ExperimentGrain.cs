using Dggrn.Contracts.Api;
using Dggrn.Contracts.Grid;
using Dggrn.Contracts.Storage;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Grains;

/// <summary>An experiment. PostgreSQL holds its state; the grain serialises control calls and caches the state it wrote.</summary>
public sealed class ExperimentGrain(ExperimentStore store, ControlStore control, IDbContextFactory<LabDbContext> db,
    IOptions<OrchestratorOptions> options) : Grain, IExperimentGrain
{
    string? _state;
    Guid Id => this.GetPrimaryKey();

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        _state = await ctx.Experiments.Where(e => e.Id == Id).Select(e => e.State.ToString()).FirstOrDefaultAsync(ct);
    }

    public async Task<SubmitResponse> CreateAsync(ExpandedGrid grid, string owner, bool rerun)
    {
        var r = await store.CreateAsync(Id, grid, owner, rerun, options.Value.MaxAttempts);
        await OnActivateAsync(CancellationToken.None);
        return r;
    }

    // The experiment is marked first so that the trial-driven refresh leaves it Cancelled (not Failed because an
    // earlier trial had failed). A finished experiment keeps its state; its trials are terminal anyway.
    public async Task<int> CancelAsync(string by)
    {
        await control.SetExperimentStateAsync(Id, "Cancelled");
        var n = await control.CancelAsync("t.experiment_id = @id", Id, by);
        await OnActivateAsync(CancellationToken.None);
        return n;
    }

    public async Task<int> PauseAsync(string by)
    {
        await control.SetExperimentStateAsync(Id, "Paused");
        var n = await control.PauseAsync("t.experiment_id = @id", Id, by);
        await OnActivateAsync(CancellationToken.None);
        return n;
    }

    public async Task<int> ResumeAsync()
    {
        var n = await control.ResumeAsync("t.experiment_id = @id", Id);
        await control.SetExperimentStateAsync(Id, null);
        await OnActivateAsync(CancellationToken.None);
        return n;
    }

    // Trial reports change the experiment's state in PostgreSQL without passing through this grain: re-read it.
    public async Task<string?> GetStateAsync()
    {
        await OnActivateAsync(CancellationToken.None);
        return _state;
    }
}
