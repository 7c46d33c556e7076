using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Scheduling;
using Dggrn.Orchestrator.Specs;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Grains;

/// <summary>An experiment: compiles its spec into trials, stores them, and controls them as one.</summary>
/// <remarks>Its state is not cached: trial reports move it (Pending, Running, Succeeded, Failed) in the same transactions that
/// move the trials, so PostgreSQL's copy is the only current one.</remarks>
public sealed class ExperimentGrain(SpecCompiler compiler, ExperimentStore store, ControlStore control, IOptions<OrchestratorOptions> options)
    : Grain, IExperimentGrain
{
    Guid Id => this.GetPrimaryKey();

    public async Task<SubmitOutcome> SubmitAsync(SubmitCommand command)
    {
        var (grid, errors) = compiler.Compile(command.Spec, command.Preset, command.Priority);
        if (grid is null) return new SubmitOutcome(null, errors);
        return new SubmitOutcome(await store.CreateAsync(Id, grid, command.Owner, command.Rerun, options.Value.MaxAttempts), []);
    }

    // The experiment is marked first so that the trial-driven refresh leaves it Cancelled (not Failed because an
    // earlier trial had failed). A finished experiment keeps its state; its trials are terminal anyway.
    public async Task<int> CancelAsync(string by)
    {
        await control.SetExperimentStateAsync(Id, ExperimentState.Cancelled);
        return Changed(await control.CancelAsync(ControlScope.Experiment, Id, by));
    }

    public async Task<int> PauseAsync(string by)
    {
        await control.SetExperimentStateAsync(Id, ExperimentState.Paused);
        return Changed(await control.PauseAsync(ControlScope.Experiment, Id, by));
    }

    public async Task<int> ResumeAsync()
    {
        var n = await control.ResumeAsync(ControlScope.Experiment, Id);
        await control.SetExperimentStateAsync(Id, null);
        return n;
    }

    public Task<ExperimentState?> GetStateAsync() => store.StateAsync(Id);

    /// <summary>Tells the grains of the trials a control changed that their lease is gone.</summary>
    int Changed(Guid[] trials)
    {
        foreach (var t in trials) _ = GrainFactory.GetGrain<ITrialGrain>(t).ForgetAsync();
        return trials.Length;
    }
}
