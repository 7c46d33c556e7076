using System.Globalization;
using System.Text;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Reports;

/// <summary>Renders a <see cref="Scorecard"/> as Markdown (`dggrn report ID --scorecard`).</summary>
public static class ScorecardFormatter
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"34.12 ± 0.05 (n=3)" in the metric's precision, or "—".</summary>
    public static string Measured(ScorecardCell c)
    {
        var f = Digits(c.Metric);
        return c.Measured is { } m ? m.ToString(f, Inv) + (c.Std is { } s ? $" ± {s.ToString(f, Inv)}" : "") + $" (n={c.N})" : "—";
    }

    /// <summary>The cell's difference with a sign, or "—".</summary>
    public static string Diff(ScorecardCell c) => c.Diff is { } d ? d.ToString("+" + Digits(c.Metric) + ";-" + Digits(c.Metric), Inv) : "—";

    /// <summary>"0.00" for dB, "0.000" for SSIM.</summary>
    public static string Digits(string metric) => metric == "SSIM" ? "0.000" : "0.00";

    /// <summary>p in the notation the tables use.</summary>
    public static string P(double? p) => p is { } v ? v < 1e-4 ? v.ToString("0.0E+0", Inv) : v.ToString("0.0000", Inv) : "—";

    /// <summary>One-line summary of the verdicts.</summary>
    public static string Summary(Scorecard s) =>
        $"{s.Summary.Cells} published values: {s.Summary.Within} within tolerance, {s.Summary.Above} above, {s.Summary.Below} below, " +
        $"{s.Summary.NotMeasured} not measured ({s.Summary.Missing} missing from the grid); orderings: {s.Summary.ChecksConfirmed} confirmed, " +
        $"{s.Summary.ChecksContradicted} contradicted, {s.Summary.ChecksInconclusive} inconclusive, {s.Summary.ChecksNotMeasured} not measured";

    /// <summary>The scorecard as Markdown: summary, every cell, every ordering check.</summary>
    public static string Markdown(Scorecard s)
    {
        var sb = new StringBuilder();
        sb.Append(Inv, $"### Reproduction scorecard: {s.Experiment} (protocol {s.Protocol})\n\n");
        sb.Append(Inv, $"Tolerance {s.ToleranceDb:0.###} dB PSNR, {s.ToleranceSsim:0.####} SSIM; orderings at p < {s.Alpha:0.##} (two-sided). {Summary(s)}.\n\n");
        sb.Append("| Source | Cell | Metric | Paper | Measured (mean ± std) | Diff | Verdict |\n|---|---|---|---|---|---|---|\n");
        foreach (var c in s.Cells)
            sb.Append(Inv, $"| {c.Source} | {string.Join(" ", c.Labels)} | {c.Metric} | {c.Paper.ToString(Digits(c.Metric), Inv)} | {Measured(c)} | {Diff(c)} | {c.Verdict} |\n");
        sb.Append("\n| Claim | Source | Paper's values | Pairs | Mean difference (dB) | Test | p | Verdict |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var k in s.Checks)
            sb.Append(Inv, $"| {k.Claim} | {k.Source} | {k.PaperValues}{(k.PaperAgrees ? "" : " (the paper's own values disagree)")} | {k.Pairs} | " +
                           $"{(k.MeanDifference is { } d ? d.ToString("+0.000;-0.000", Inv) : "—")} | {k.Test ?? "—"} | {P(k.PValue)} | {k.Verdict}{(k.Detail is null ? "" : $"; {k.Detail}")} |\n");
        return sb.ToString();
    }
}
