using System.Globalization;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Reports;

/// <summary>
/// The reproduction scorecard: each published value of Tables 1-3 and Figure 6 against the measured mean ± std with a
/// verdict under the user's tolerance, and each ordering the paper claims decided by a paired Wilcoxon signed-rank test.
/// </summary>
/// <remarks>
/// Cells are fed exactly as the tables are (<see cref="ReportBuilder"/>: trials tagged with the table, mean and sample std
/// over seeds). Figure 6 prints no numbers; its curves are the x2 DGGRN and ResNet networks of Table 1 on the same test sets,
/// so each curve's end is compared with Table 1's x2 value. Orderings: DGGRN above ResNet in every Table 1 row (per-slice
/// PSNR, slice i of seed s paired with slice i of seed s), PSNR rising with blocks (Table 2, DGGRN) and with K (Table 3),
/// each step paired the same way, and DGGRN above ResNet at every epoch of Figure 6 (test PSNR of epoch e of seed s paired).
/// </remarks>
public static class ScorecardBuilder
{
    /// <summary>Default tolerance for PSNR cells, dB.</summary>
    public const double DefaultToleranceDb = 0.5;

    /// <summary>Default tolerance for SSIM cells.</summary>
    public const double DefaultToleranceSsim = 0.01;

    /// <summary>Significance level of the ordering checks.</summary>
    public const double Alpha = 0.05;

    static readonly string[] Fig6Datasets = ["BrainWeb", "NAMIC", "IXI"];
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The scorecard of <paramref name="trials"/> (every trial of the experiment, any state).</summary>
    public static Scorecard Build(Guid experimentId, string experiment, string protocol, IReadOnlyList<ScoreTrial> trials,
        double toleranceDb = DefaultToleranceDb, double toleranceSsim = DefaultToleranceSsim)
    {
        var cells = new List<ScorecardCell>();
        var t1 = trials.Where(t => t.Tables.Contains("1")).ToList();
        foreach (var p in PaperResults.Table1)
        {
            var fed = t1.Where(t => t.Dataset == p.Dataset && t.Scale == p.Scale && ReportBuilder.MethodName(t.Method) == p.Method).ToList();
            string[] labels = [p.Dataset, $"x{p.Scale}", p.Method];
            cells.Add(Cell("Table 1", labels, "PSNR", p.Psnr, fed, r => r.Overall.Psnr, toleranceDb));
            cells.Add(Cell("Table 1", labels, "SSIM", p.Ssim, fed, r => r.Overall.Ssim, toleranceSsim));
        }
        var t2 = trials.Where(t => t.Tables.Contains("2")).ToList();
        foreach (var p in PaperResults.Table2)
        foreach (var (method, paper) in new[] { ("resnet", p.ResNet), ("dggrn", p.Dggrn) })
            cells.Add(Cell("Table 2", [$"{p.Blocks} blocks", ReportBuilder.MethodName(method)], "PSNR", paper,
                [.. t2.Where(t => t.Blocks == p.Blocks && t.Method == method)], r => r.Overall.Psnr, toleranceDb));
        var t3 = trials.Where(t => t.Tables.Contains("3") && t.Method == "dggrn").ToList();
        foreach (var p in PaperResults.Table3)
        foreach (var (k, paper) in p.PsnrByFilters.OrderBy(kv => kv.Key))
            cells.Add(Cell("Table 3", [p.Dataset, $"K={k}"], "PSNR", paper, [.. t3.Where(t => t.Dataset == p.Dataset && t.Filters == k)],
                r => r.Overall.Psnr, toleranceDb));
        var fig6 = Fig6Trials(trials);
        foreach (var d in Fig6Datasets)
        foreach (var method in new[] { "DGGRN", "ResNet" })
        {
            if (PaperResults.Table1.FirstOrDefault(r => r.Dataset == d && r.Scale == 2 && r.Method == method) is not { } p) continue;
            cells.Add(Cell("Figure 6", [d, "x2", method, "last epoch"], "PSNR", p.Psnr,
                [.. fig6.Where(t => t.Dataset == d && ReportBuilder.MethodName(t.Method) == method)], r => r.Overall.Psnr, toleranceDb));
        }

        var checks = new List<OrderingCheck>();
        foreach (var (d, s) in PaperResults.Table1.Select(r => (r.Dataset, r.Scale)).Distinct())
        {
            var dg = PaperResults.Table1.FirstOrDefault(r => r.Dataset == d && r.Scale == s && r.Method == "DGGRN");
            var rn = PaperResults.Table1.FirstOrDefault(r => r.Dataset == d && r.Scale == s && r.Method == "ResNet");
            if (dg is null || rn is null) continue;
            checks.Add(SliceCheck($"DGGRN > ResNet, {d} x{s}", "Table 1", dg.Psnr, rn.Psnr,
                [.. t1.Where(t => t.Dataset == d && t.Scale == s && t.Method == "dggrn")], [.. t1.Where(t => t.Dataset == d && t.Scale == s && t.Method == "resnet")]));
        }
        var blocks = PaperResults.Table2.OrderBy(r => r.Blocks).ToList();
        foreach (var (lo, hi) in blocks.Zip(blocks.Skip(1)))
            checks.Add(SliceCheck($"DGGRN PSNR rises from {lo.Blocks} to {hi.Blocks} blocks", "Table 2", hi.Dggrn, lo.Dggrn,
                [.. t2.Where(t => t.Method == "dggrn" && t.Blocks == hi.Blocks)], [.. t2.Where(t => t.Method == "dggrn" && t.Blocks == lo.Blocks)]));
        foreach (var p in PaperResults.Table3)
        {
            var ks = p.PsnrByFilters.Keys.Order().ToList();
            foreach (var (lo, hi) in ks.Zip(ks.Skip(1)))
                checks.Add(SliceCheck($"DGGRN PSNR rises from K={lo} to K={hi}, {p.Dataset}", "Table 3", p.PsnrByFilters[hi], p.PsnrByFilters[lo],
                    [.. t3.Where(t => t.Dataset == p.Dataset && t.Filters == hi)], [.. t3.Where(t => t.Dataset == p.Dataset && t.Filters == lo)]));
        }
        foreach (var d in Fig6Datasets)
            checks.Add(EpochCheck(d, [.. fig6.Where(t => t.Dataset == d && t.Method == "dggrn")], [.. fig6.Where(t => t.Dataset == d && t.Method == "resnet")]));

        var measured = cells.Where(c => c.Measured is not null).ToList();
        var summary = new ScorecardSummary(cells.Count, Count(cells, "within"), Count(cells, "above"), Count(cells, "below"),
            cells.Count - measured.Count, Count(cells, "missing"),
            checks.Count(c => c.Verdict == "confirmed"), checks.Count(c => c.Verdict == "contradicted"),
            checks.Count(c => c.Verdict == "inconclusive"), checks.Count(c => c.Verdict == "not measured"));
        return new Scorecard(experimentId, experiment, protocol, toleranceDb, toleranceSsim, Alpha, [.. cells], [.. checks], summary);
    }

    static int Count(IEnumerable<ScorecardCell> cells, string verdict) => cells.Count(c => c.Verdict == verdict);

    /// <summary>Figure 6's trials: those tagged "fig6", or in a grid without the tag its x2 DGGRN and ResNet trials of 8
    /// blocks and K=64 (as the dashboard draws it).</summary>
    public static List<ScoreTrial> Fig6Trials(IReadOnlyList<ScoreTrial> trials) => trials.Any(t => t.Tables.Contains("fig6"))
        ? [.. trials.Where(t => t.Tables.Contains("fig6") && t.Method is "dggrn" or "resnet")]
        : [.. trials.Where(t => t.Method is "dggrn" or "resnet" && t.Scale == 2 && t.Blocks == 8 && t.Filters == 64)];

    static ScorecardCell Cell(string source, string[] labels, string metric, double paper, List<ScoreTrial> fed,
        Func<Contracts.Trials.EvalResult, double> value, double tolerance)
    {
        var done = fed.Select(t => t.Succeeded).OfType<ReportTrial>().ToList();
        var c = ReportBuilder.Cell(done, t => value(t.Result), paper);
        var byState = fed.GroupBy(t => t.State).ToDictionary(g => g.Key, g => g.Count());
        // 1e-9 absorbs the rounding of mean - paper (34.82 - 34.32 is 0.5000000000000036).
        var verdict = c.Diff is { } d
            ? Math.Abs(d) <= tolerance + 1e-9 ? "within" : d > 0 ? "above" : "below"
            : Pending(fed);
        return new ScorecardCell(source, labels, metric, paper, c.Measured, c.Std, c.N, c.Diff, verdict, byState, [.. fed.Select(t => t.Id)]);
    }

    // Why a cell has no measured value yet: the state of the trials that feed it, the most hopeful first.
    static string Pending(List<ScoreTrial> fed)
    {
        if (fed.Count == 0) return "missing";
        foreach (var (state, verdict) in new[] { ("Running", "running"), ("Leased", "running"), ("Pending", "waiting"), ("Diverged", "diverged"),
                     ("Failed", "failed"), ("Cancelled", "cancelled") })
            if (fed.Any(t => t.State == state)) return verdict;
        return "waiting";
    }

    // Claimed higher (a) vs claimed lower (b), per-slice PSNR of the same test slices: seed s of a with seed s of b, in the
    // same dataset, scale and (where both sides share it) network size.
    static OrderingCheck SliceCheck(string claim, string source, double paperHigh, double paperLow, List<ScoreTrial> a, List<ScoreTrial> b)
    {
        var x = new List<double>();
        var y = new List<double>();
        var seeds = 0;
        foreach (var ta in a.Where(t => t.Result?.Overall.PerSlicePsnr is not null).OrderBy(t => t.Seed))
        {
            var tb = b.FirstOrDefault(t => t.Seed == ta.Seed && t.Dataset == ta.Dataset && t.Scale == ta.Scale && t.Result?.Overall.PerSlicePsnr is not null);
            var (pa, pb) = (ta.Result!.Overall.PerSlicePsnr!, tb?.Result!.Overall.PerSlicePsnr);
            if (pb is null || pa.Length != pb.Length) continue;
            x.AddRange(pa);
            y.AddRange(pb);
            seeds++;
        }
        var paper = $"{paperHigh.ToString("0.00", Inv)} vs {paperLow.ToString("0.00", Inv)}";
        var pairs = seeds == 0 ? "per-slice PSNR: no seed with both results" : $"per-slice PSNR, {seeds} seed{(seeds == 1 ? "" : "s")} x {x.Count / seeds:N0} slices";
        return Decide(claim, source, paper, paperHigh > paperLow, pairs, x, y, null, allPoints: true);
    }

    // DGGRN above ResNet at every epoch: test PSNR of epoch e of seed s of each, paired over every epoch both reported.
    static OrderingCheck EpochCheck(string dataset, List<ScoreTrial> dggrn, List<ScoreTrial> resnet)
    {
        var x = new List<double>();
        var y = new List<double>();
        var meanA = new Dictionary<int, List<double>>();
        var meanB = new Dictionary<int, List<double>>();
        var seeds = 0;
        foreach (var ta in dggrn.Where(t => t.PsnrByEpoch is { Count: > 0 }).OrderBy(t => t.Seed))
        {
            if (resnet.FirstOrDefault(t => t.Seed == ta.Seed && t.PsnrByEpoch is { Count: > 0 }) is not { } tb) continue;
            seeds++;
            foreach (var (epoch, v) in ta.PsnrByEpoch!.OrderBy(kv => kv.Key))
            {
                if (!tb.PsnrByEpoch!.TryGetValue(epoch, out var w)) continue;
                x.Add(v);
                y.Add(w);
                (meanA.TryGetValue(epoch, out var la) ? la : meanA[epoch] = []).Add(v);
                (meanB.TryGetValue(epoch, out var lb) ? lb : meanB[epoch] = []).Add(w);
            }
        }
        var epochs = meanA.Keys.Order().ToList();
        var above = epochs.Count(e => meanA[e].Average() > meanB[e].Average());
        string? detail = epochs.Count == 0 ? null : $"DGGRN's mean curve above ResNet's at {above} of {epochs.Count} epochs";
        var pairs = seeds == 0 ? "test PSNR per epoch: no seed with both curves" : $"test PSNR per epoch, {seeds} seed{(seeds == 1 ? "" : "s")} x {epochs.Count} epochs";
        return Decide($"DGGRN > ResNet at every epoch, {dataset} x2", "Figure 6", "drawn above at every epoch (no values printed)", true, pairs, x, y, detail,
            allPoints: epochs.Count > 0 && above == epochs.Count);
    }

    static OrderingCheck Decide(string claim, string source, string paper, bool paperAgrees, string pairs, List<double> high, List<double> low,
        string? detail, bool allPoints)
    {
        if (high.Count == 0) return new OrderingCheck(claim, source, paper, paperAgrees, pairs, 0, null, null, null, "not measured", detail);
        var r = SignedRankTest.Test(high, low);
        // The direction the test saw: W+ above its null mean n(n+1)/4 means the claimed-higher side is higher.
        var upward = r.WPlus > r.N * (r.N + 1) / 4.0;
        var verdict = r.PValue >= Alpha || r.N == 0 ? "inconclusive" : !upward ? "contradicted" : allPoints ? "confirmed" : "inconclusive";
        return new OrderingCheck(claim, source, paper, paperAgrees, pairs, high.Count, high.Zip(low, (a, b) => a - b).Average(),
            r.Exact ? "Wilcoxon signed-rank (exact)" : "Wilcoxon signed-rank (normal approximation)", r.PValue, verdict, detail);
    }
}
