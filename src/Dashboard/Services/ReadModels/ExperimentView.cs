using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Infrastructure;

namespace Dggrn.Dashboard.Services.ReadModels;

/// <summary>An experiment as its page shows it: name, owner, state, creation time and its trials (reused ones with their
/// originals' results).</summary>
public sealed record ExperimentView(Guid Id, string Name, string Owner, ExperimentState State, DateTimeOffset CreatedAt,
    IReadOnlyList<TrialFacts> Trials)
{
    /// <summary>Where each trial's data lives, as resolved on the first read; <see cref="LabReader"/> reuses it when the
    /// page passes this view back on a refresh (an experiment's trials and their succeeded originals do not change).</summary>
    internal TrialSources? Sources { get; init; }
}
