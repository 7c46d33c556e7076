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

    /// <summary>The state as users see it: a failed trial whose training diverged shows as "Diverged".</summary>
    public const string Diverged = "Diverged";

    /// <summary>The state as users see it: <see cref="Diverged"/> for a diverged failure, else the state's name.</summary>
    public static string Display(TrialState s, bool diverged) => s == TrialState.Failed && diverged ? Diverged : s.ToString();
}
