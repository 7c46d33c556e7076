using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Reports;

/// <summary>A trial of any state as the scorecard sees it: where it sits in the grid (method, dataset, N, K, scale, seed, the
/// tables it feeds), how it stands (<c>State</c> as users see it, "Diverged" for a diverged failure:
/// <see cref="TrialStates.Display"/>), its result once succeeded, and its test PSNR per epoch (Figure 6 trials only).</summary>
public sealed record ScoreTrial(Guid Id, string Method, string Dataset, int Blocks, int Filters, int Scale, int Seed, string[] Tables,
    string State, EvalResult? Result, IReadOnlyDictionary<int, double>? PsnrByEpoch = null)
{
    /// <summary>The trial as the tables see it; null until it has a result.</summary>
    public ReportTrial? Succeeded => Result is null ? null : new ReportTrial(Id, Method, Dataset, Blocks, Filters, Scale, Seed, Tables, Result, null);
}
