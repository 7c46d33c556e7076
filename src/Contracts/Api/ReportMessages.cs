namespace Dggrn.Contracts.Api;

/// <summary>
/// A paper table with measured values beside the published ones (GET /api/experiments/{id}/report?format=json).
/// The dashboard renders this; the CLI prints it as md/csv/latex.
/// </summary>
public sealed record ReportTable(
    int Table,
    string Title,
    string Protocol,
    // Column headers after the row label columns, e.g. ["PSNR", "SSIM"] or ["K=32", "K=64", "K=128"].
    string[] Columns,
    ReportRow[] Rows,
    string[] Notes,
    SignificanceTest[] Significance);

/// <summary>A table row: label cells (e.g. dataset, scale, method) then one cell per column.</summary>
public sealed record ReportRow(string[] Labels, ReportCell[] Cells);

/// <summary>
/// One measured-vs-paper cell. Measured is the mean over seeds (Std when N &gt; 1); null when not measured yet.
/// Diff = Measured - Paper. TrialIds are the trials that fed the cell.
/// </summary>
public sealed record ReportCell(double? Measured, double? Std, int N, double? Paper, double? Diff, Guid[] TrialIds);

/// <summary>Paired test of DGGRN vs ResNet over the same test slices (per-slice PSNR), e.g. Wilcoxon signed-rank.</summary>
public sealed record SignificanceTest(string Comparison, string Test, int Pairs, double MeanDifference, double PValue);
