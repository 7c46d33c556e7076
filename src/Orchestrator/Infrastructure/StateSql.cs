using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Infrastructure;

/// <summary>Trial and experiment states as the stores' SQL spells them. States are stored by name, so the enums are the one
/// spelling and every fragment here is built from them; a renamed state cannot leave a query behind.</summary>
public static class StateSql
{
    /// <summary>'Pending'.</summary>
    public static readonly string Pending = Q(TrialState.Pending);
    /// <summary>'Leased'.</summary>
    public static readonly string Leased = Q(TrialState.Leased);
    /// <summary>'Running'.</summary>
    public static readonly string Running = Q(TrialState.Running);
    /// <summary>'Succeeded'.</summary>
    public static readonly string Succeeded = Q(TrialState.Succeeded);
    /// <summary>'Failed'.</summary>
    public static readonly string Failed = Q(TrialState.Failed);
    /// <summary>'Cancelled'.</summary>
    public static readonly string Cancelled = Q(TrialState.Cancelled);
    /// <summary>'Paused' (experiments only).</summary>
    public static readonly string Paused = Q(ExperimentState.Paused);

    /// <summary>('Leased','Running'): a trial holding a live lease.</summary>
    public static readonly string Live = In(TrialState.Leased, TrialState.Running);
    /// <summary>('Pending','Leased','Running'): a trial not finished.</summary>
    public static readonly string Open = In(TrialState.Pending, TrialState.Leased, TrialState.Running);
    /// <summary>('Succeeded','Failed','Cancelled'): a trial (or experiment) that is finished.</summary>
    public static readonly string Terminal = In(TrialState.Succeeded, TrialState.Failed, TrialState.Cancelled);
    /// <summary>('Leased','Running','Succeeded','Failed'): a trial that has started at some point.</summary>
    public static readonly string Started = In(TrialState.Leased, TrialState.Running, TrialState.Succeeded, TrialState.Failed);

    static string Q<T>(T state) where T : struct, Enum => $"'{state}'";
    static string In(params TrialState[] states) => "(" + string.Join(",", states.Select(s => $"'{s}'")) + ")";
}
