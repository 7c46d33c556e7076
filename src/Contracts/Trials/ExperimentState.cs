namespace Dggrn.Contracts.Trials;

/// <summary>Lifecycle of an experiment, derived from its trials plus the user's pause/cancel.</summary>
public enum ExperimentState
{
    Pending,
    Running,
    Paused,
    Succeeded,
    Failed,
    Cancelled,
}
