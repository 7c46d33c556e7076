namespace Dggrn.Contracts.Trials;

/// <summary>Lifecycle of a trial. Stored and printed by name; the words are part of the CLI/API contract.</summary>
public enum TrialState
{
    Pending,
    Leased,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>Helpers over <see cref="TrialState"/>.</summary>
public static class TrialStates
{
    /// <summary>True for states a trial never leaves on its own.</summary>
    public static bool IsTerminal(this TrialState s) => s is TrialState.Succeeded or TrialState.Failed or TrialState.Cancelled;
}
