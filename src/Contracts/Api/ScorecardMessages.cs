namespace Dggrn.Contracts.Api;

/// <summary>
/// How far an experiment reproduces the paper (GET /api/experiments/{id}/scorecard): every published value of Tables 1-3
/// and Figure 6 beside the measured mean ± std with a verdict, and each ordering the paper claims with the paired test
/// that decides it.
/// </summary>
/// <param name="ExperimentId">The experiment.</param>
/// <param name="Experiment">Its name.</param>
/// <param name="Protocol">The evaluation protocol its trials used (e.g. dggrn-v1).</param>
/// <param name="ToleranceDb">A PSNR cell is "within" when |measured - paper| is at most this (dB).</param>
/// <param name="ToleranceSsim">The same for SSIM.</param>
/// <param name="Alpha">Significance level of the ordering checks (two-sided).</param>
/// <param name="Cells">Every published value, in the paper's order: Table 1 (PSNR and SSIM), Table 2, Table 3, Figure 6.</param>
/// <param name="Checks">Every ordering the paper claims.</param>
/// <param name="Summary">Counts of the verdicts.</param>
public sealed record Scorecard(Guid ExperimentId, string Experiment, string Protocol, double ToleranceDb, double ToleranceSsim, double Alpha,
    ScorecardCell[] Cells, OrderingCheck[] Checks, ScorecardSummary Summary);

/// <summary>
/// One published value and what the experiment measured for it.
/// </summary>
/// <param name="Source">"Table 1", "Table 2", "Table 3" or "Figure 6".</param>
/// <param name="Labels">Where the value sits, e.g. ["NAMIC", "x2", "DGGRN"], ["8 blocks", "ResNet"], ["IXI", "K=64"].</param>
/// <param name="Metric">"PSNR" (dB) or "SSIM".</param>
/// <param name="Paper">The published value.</param>
/// <param name="Measured">Mean over the succeeded trials (seeds) that feed the cell; null when none has.</param>
/// <param name="Std">Sample standard deviation over those trials (N &gt; 1).</param>
/// <param name="N">Succeeded trials averaged.</param>
/// <param name="Diff">Measured - paper.</param>
/// <param name="Verdict">"within", "above" or "below" the tolerance when measured; otherwise why not: "missing" (no trial of
/// the experiment feeds it), "waiting", "running", "failed", "diverged" or "cancelled".</param>
/// <param name="Trials">Trials of the experiment that feed the cell (any state), by state as users see it.</param>
/// <param name="TrialIds">Those trials.</param>
public sealed record ScorecardCell(string Source, string[] Labels, string Metric, double Paper, double? Measured, double? Std, int N, double? Diff,
    string Verdict, IReadOnlyDictionary<string, int> Trials, Guid[] TrialIds);

/// <summary>
/// One ordering the paper claims, decided by a paired test on the experiment's results.
/// </summary>
/// <param name="Claim">e.g. "DGGRN > ResNet, BrainWeb x3".</param>
/// <param name="Source">Where the paper makes it ("Table 1", "Table 2", "Table 3", "Figure 6").</param>
/// <param name="PaperValues">The paper's own numbers for it, e.g. "27.62 vs 27.71".</param>
/// <param name="PaperAgrees">Whether those numbers themselves satisfy the claim (the paper's tables do not always).</param>
/// <param name="Pairs">What is paired and how many pairs, e.g. "per-slice PSNR, 3 seeds x 1,200 slices".</param>
/// <param name="N">Number of pairs.</param>
/// <param name="MeanDifference">Mean of (claimed higher - claimed lower), dB.</param>
/// <param name="Test">The test, e.g. "Wilcoxon signed-rank (exact)".</param>
/// <param name="PValue">Two-sided p.</param>
/// <param name="Verdict">"confirmed" (significant in the claimed direction), "contradicted" (significant the other way),
/// "inconclusive" (not significant, or for Figure 6 not at every epoch) or "not measured".</param>
/// <param name="Detail">One line of further evidence (e.g. "DGGRN above ResNet at 63 of 65 epochs"), or null.</param>
public sealed record OrderingCheck(string Claim, string Source, string PaperValues, bool PaperAgrees, string Pairs, int N, double? MeanDifference,
    string? Test, double? PValue, string Verdict, string? Detail);

/// <summary>Counts of <see cref="Scorecard"/> verdicts.</summary>
public sealed record ScorecardSummary(int Cells, int Within, int Above, int Below, int NotMeasured, int Missing,
    int ChecksConfirmed, int ChecksContradicted, int ChecksInconclusive, int ChecksNotMeasured);
