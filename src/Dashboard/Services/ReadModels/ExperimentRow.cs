using Dggrn.Contracts.Trials;

namespace Dggrn.Dashboard.Services.ReadModels;

/// <summary>One row of the experiments list: the experiment, its trial counts by state and an ETA.</summary>
public sealed record ExperimentRow(Guid Id, string Name, string Owner, ExperimentState State, IReadOnlyDictionary<TrialState, int> ByState,
    int Total, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, double? EtaSeconds);
