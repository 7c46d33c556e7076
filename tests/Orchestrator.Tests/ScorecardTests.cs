using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Reports;

namespace Dggrn.Orchestrator.Tests;

/// <summary>
/// The reproduction scorecard and the frozen HTML report: verdicts under the user's tolerance against hand-computed means and
/// standard deviations, the ordering checks decided by the Wilcoxon signed-rank test (itself checked against published
/// examples), and a report that references nothing outside itself.
/// </summary>
public sealed class ScorecardTests
{
    static EvalResult Eval(double psnr, double ssim, double[] slices) => new()
    {
        Method = "x", Scale = 2, Overall = new AxisResult { Slices = slices.Length, Psnr = psnr, Ssim = ssim, PerSlicePsnr = slices },
    };

    static ScoreTrial T(string method, string dataset, int seed, string[] tables, string state, EvalResult? result = null, int blocks = 8, int filters = 64,
        int scale = 2, IReadOnlyDictionary<int, double>? curve = null) =>
        new(Guid.NewGuid(), method, dataset, blocks, filters, scale, seed, tables, state, result, curve);

    // R's documentation example for wilcox.test (Hollander & Wolfe, depression scale), paired: x - y.
    static readonly double[] HwX = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
    static readonly double[] HwY = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

    [Fact]
    public void Signed_rank_test_gives_the_published_values()
    {
        // R: wilcox.test(x, y, paired = TRUE, alternative = "greater") prints V = 40, p-value = 0.01953; two-sided is twice that.
        var hw = SignedRankTest.Test(HwX, HwY);
        Assert.Equal((9, 40.0, true), (hw.N, hw.WPlus, hw.Exact));
        Assert.Equal(0.0390625, hw.PValue, 12);

        // SciPy's documentation example for scipy.stats.wilcoxon (Darwin's paired plant heights, differences d):
        // statistic 24 (the smaller rank sum, W- here) and exact two-sided p-value 0.041259765625.
        double[] d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
        var darwin = SignedRankTest.Test(d, new double[d.Length]);
        Assert.True(darwin.Exact);
        Assert.Equal(15 * 16 / 2 - 24, darwin.WPlus);
        Assert.Equal(0.041259765625, darwin.PValue, 12);

        // Ties force the normal approximation. Wikipedia's example (x2 - x1, one zero dropped, n = 9, |d| = 5 tied): W+ = 27;
        // by hand: mean 22.5, variance 9*10*19/24 - (2^3 - 2)/48 = 71.125, z = (27 - 22.5 - 0.5) / sqrt(71.125) = 0.474295,
        // p = 2 * (1 - Phi(z)) = 0.63528 (R's wilcox.test(exact = FALSE) prints 0.6353).
        double[] x2 = [125, 115, 130, 140, 140, 115, 140, 125, 140, 135];
        double[] x1 = [110, 122, 125, 120, 140, 124, 123, 137, 135, 145];
        var wiki = SignedRankTest.Test(x2, x1);
        Assert.Equal((9, 27.0, false), (wiki.N, wiki.WPlus, wiki.Exact));
        Assert.Equal(0.63528, wiki.PValue, 4);
    }

    [Fact]
    public void Cells_carry_mean_std_diff_and_a_verdict_under_the_users_tolerance()
    {
        string[] t1 = ["1", "fig6"];
        var trials = new List<ScoreTrial>
        {
            // NAMIC x2 DGGRN: 37.41, 37.21, 37.01 -> mean 37.21, sample std 0.2 (deviations ±0.2, 0; 0.08 / 2 = 0.04), paper 37.21.
            T("dggrn", "NAMIC", 0, t1, "Succeeded", Eval(37.41, 0.949, [])), T("dggrn", "NAMIC", 1, t1, "Succeeded", Eval(37.21, 0.939, [])),
            T("dggrn", "NAMIC", 2, t1, "Succeeded", Eval(37.01, 0.929, [])),
            // NAMIC x2 ResNet: 37.6, 37.7, 37.8 -> 37.7 ± 0.1 against 37.00: +0.70 dB, above 0.5; SSIM 0.948 against 0.928: +0.020.
            T("resnet", "NAMIC", 0, t1, "Succeeded", Eval(37.6, 0.948, [])), T("resnet", "NAMIC", 1, t1, "Succeeded", Eval(37.7, 0.948, [])),
            T("resnet", "NAMIC", 2, t1, "Succeeded", Eval(37.8, 0.948, [])),
            // BrainWeb x3: one DGGRN diverged, one still running, ResNet waiting; IXI x4 DGGRN failed and cancelled.
            T("dggrn", "BrainWeb", 0, ["1"], "Diverged", scale: 3), T("dggrn", "BrainWeb", 1, ["1"], "Running", scale: 3),
            T("resnet", "BrainWeb", 0, ["1"], "Pending", scale: 3),
            T("dggrn", "IXI", 0, ["1"], "Failed", scale: 4), T("dggrn", "IXI", 1, ["1"], "Cancelled", scale: 4),
            T("dggrn", "NAMIC", 0, ["2"], "Diverged", blocks: 10),
        };
        var card = ScorecardBuilder.Build(Guid.NewGuid(), "e", "dggrn-v1", trials);
        ScorecardCell Cell(string source, string metric, params string[] labels) =>
            card.Cells.Single(c => c.Source == source && c.Metric == metric && c.Labels.Take(labels.Length).SequenceEqual(labels));

        // 57 Table 1 rows x (PSNR, SSIM) + Table 2's 6 x 2 + Table 3's 3 x 3 + Figure 6's 3 datasets x 2 methods.
        Assert.Equal(57 * 2 + 12 + 9 + 6, card.Cells.Length);
        var dggrn = Cell("Table 1", "PSNR", "NAMIC", "x2", "DGGRN");
        Assert.Equal((3, 37.21), (dggrn.N, dggrn.Paper));
        Assert.Equal(37.21, dggrn.Measured!.Value, 9);
        Assert.Equal(0.2, dggrn.Std!.Value, 9);
        Assert.Equal(0, dggrn.Diff!.Value, 9);
        Assert.Equal("within", dggrn.Verdict);
        var resnet = Cell("Table 1", "PSNR", "NAMIC", "x2", "ResNet");
        Assert.Equal(0.1, resnet.Std!.Value, 9);
        Assert.Equal(0.7, resnet.Diff!.Value, 9);
        Assert.Equal("above", resnet.Verdict);
        Assert.Equal("above", Cell("Table 1", "SSIM", "NAMIC", "x2", "ResNet").Verdict);       // +0.020 > 0.01
        Assert.Equal("within", Cell("Table 1", "SSIM", "NAMIC", "x2", "DGGRN").Verdict);       // 0.939 = paper
        // Figure 6's curve ends are the same x2 networks against Table 1's x2 values.
        Assert.Equal("above", Cell("Figure 6", "PSNR", "NAMIC", "x2", "ResNet").Verdict);
        Assert.Equal(dggrn.Measured, Cell("Figure 6", "PSNR", "NAMIC", "x2", "DGGRN").Measured);
        // Unmeasured cells say why, the hopeful state first.
        Assert.Equal("running", Cell("Table 1", "PSNR", "BrainWeb", "x3", "DGGRN").Verdict);
        Assert.Equal(new Dictionary<string, int> { ["Diverged"] = 1, ["Running"] = 1 }, Cell("Table 1", "PSNR", "BrainWeb", "x3", "DGGRN").Trials);
        Assert.Equal("waiting", Cell("Table 1", "PSNR", "BrainWeb", "x3", "ResNet").Verdict);
        Assert.Equal("failed", Cell("Table 1", "PSNR", "IXI", "x4", "DGGRN").Verdict);
        Assert.Equal("diverged", Cell("Table 2", "PSNR", "10 blocks", "DGGRN").Verdict);
        Assert.Equal("missing", Cell("Table 1", "PSNR", "IXI", "x2", "SCSR").Verdict);
        // Measured: DGGRN PSNR, SSIM and its Figure 6 end within; ResNet PSNR, SSIM and its Figure 6 end above.
        Assert.Equal((3, 3, 0, card.Cells.Length - 6), (card.Summary.Within, card.Summary.Above, card.Summary.Below, card.Summary.NotMeasured));

        // The user's tolerance decides: just under the ResNet difference it is still above, just over it within.
        var tight = ScorecardBuilder.Build(Guid.NewGuid(), "e", "dggrn-v1", trials, toleranceDb: 0.69, toleranceSsim: 0.0);
        Assert.Equal("above", tight.Cells.First(x => x.Source == "Table 1" && x.Metric == "PSNR" && x.Labels.SequenceEqual(["NAMIC", "x2", "ResNet"])).Verdict);
        Assert.Equal("within", tight.Cells.First(x => x.Source == "Table 1" && x.Metric == "SSIM" && x.Labels.SequenceEqual(["NAMIC", "x2", "DGGRN"])).Verdict);
        var loose = ScorecardBuilder.Build(Guid.NewGuid(), "e", "dggrn-v1", trials, toleranceDb: 0.71, toleranceSsim: 0.03);
        Assert.Equal("within", loose.Cells.First(x => x.Source == "Table 1" && x.Metric == "PSNR" && x.Labels.SequenceEqual(["NAMIC", "x2", "ResNet"])).Verdict);
        Assert.Equal("within", loose.Cells.First(x => x.Source == "Table 1" && x.Metric == "SSIM" && x.Labels.SequenceEqual(["NAMIC", "x2", "ResNet"])).Verdict);
        // Below: a DGGRN x2 BrainWeb at 33.0 against 34.32.
        var below = ScorecardBuilder.Build(Guid.NewGuid(), "e", "dggrn-v1", [T("dggrn", "BrainWeb", 0, ["1"], "Succeeded", Eval(33.0, 0.987, []))]);
        var b = below.Cells.First(x => x.Source == "Table 1" && x.Metric == "PSNR" && x.Labels.SequenceEqual(["BrainWeb", "x2", "DGGRN"]));
        Assert.Equal(("below", -1.32), (b.Verdict, Math.Round(b.Diff!.Value, 9)));
    }

    [Fact]
    public void Orderings_are_decided_by_paired_tests_and_compared_with_the_papers_own_values()
    {
        // DGGRN - ResNet per slice: R's example differences (x - y), 3 seeds x 3 slices: W+ = 40, p = 0.0390625 -> confirmed.
        var diffs = HwX.Zip(HwY, (x, y) => x - y).ToArray();
        var trials = new List<ScoreTrial>();
        for (var seed = 0; seed < 3; seed++)
        {
            double[] rn = [30, 31, 32];
            trials.Add(T("resnet", "BrainWeb", seed, ["1"], "Succeeded", Eval(31, 0.9, rn), scale: 3));
            trials.Add(T("dggrn", "BrainWeb", seed, ["1"], "Succeeded", Eval(31.5, 0.9, [.. rn.Select((v, i) => v + diffs[seed * 3 + i])]), scale: 3));
        }
        // Table 2: DGGRN at 10 blocks below 8 blocks on every slice (Darwin's differences, negated): contradicted at p = 0.0413.
        double[] d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
        double[] base8 = [.. Enumerable.Range(0, 15).Select(i => 37.0 + i * 0.01)];
        trials.Add(T("dggrn", "NAMIC", 0, ["2"], "Succeeded", Eval(37.2, 0.9, base8), blocks: 8));
        trials.Add(T("dggrn", "NAMIC", 0, ["2"], "Succeeded", Eval(37.1, 0.9, [.. base8.Select((v, i) => v - d[i] / 100)]), blocks: 10));
        // Figure 6, NAMIC: DGGRN above ResNet at each of 3 epochs for 3 seeds (9 distinct positive differences): p = 2/512;
        // IXI: above at 2 epochs, below at the third: significant or not, not at every epoch -> inconclusive.
        for (var seed = 0; seed < 3; seed++)
        {
            var rn = new Dictionary<int, double> { [1] = 30, [2] = 32, [3] = 33 };
            trials.Add(T("resnet", "NAMIC", seed, ["fig6"], "Succeeded", curve: rn));
            trials.Add(T("dggrn", "NAMIC", seed, ["fig6"], "Succeeded", curve: rn.ToDictionary(kv => kv.Key, kv => kv.Value + 0.1 * (seed * 3 + kv.Key))));
            trials.Add(T("resnet", "IXI", seed, ["fig6"], "Succeeded", curve: rn));
            trials.Add(T("dggrn", "IXI", seed, ["fig6"], "Succeeded", curve: rn.ToDictionary(kv => kv.Key, kv => kv.Value + (kv.Key == 3 ? -0.5 : 0.3 + 0.01 * seed))));
        }
        var card = ScorecardBuilder.Build(Guid.NewGuid(), "e", "dggrn-v1", trials);
        OrderingCheck Check(string claim) => card.Checks.Single(c => c.Claim == claim);

        // 9 Table 1 rows, 5 block steps, 3 x 2 K steps, 3 Figure 6 panels.
        Assert.Equal(9 + 5 + 6 + 3, card.Checks.Length);
        var bw3 = Check("DGGRN > ResNet, BrainWeb x3");
        Assert.Equal(("confirmed", 9, "Wilcoxon signed-rank (exact)"), (bw3.Verdict, bw3.N, bw3.Test));
        Assert.Equal(0.0390625, bw3.PValue!.Value, 12);
        Assert.Equal(diffs.Average(), bw3.MeanDifference!.Value, 9);
        // The paper's own Table 1 has ResNet above DGGRN at BrainWeb x3 (27.71 vs 27.62): the claim is not even the paper's there.
        Assert.Equal(("27.62 vs 27.71", false), (bw3.PaperValues, bw3.PaperAgrees));
        Assert.True(Check("DGGRN > ResNet, NAMIC x2").PaperAgrees);
        Assert.Equal("not measured", Check("DGGRN > ResNet, NAMIC x2").Verdict);

        var blocks = Check("DGGRN PSNR rises from 8 to 10 blocks");
        Assert.Equal("contradicted", blocks.Verdict);
        Assert.Equal(0.041259765625, blocks.PValue!.Value, 12);
        Assert.Equal(("37.16 vs 37.21", false), (blocks.PaperValues, blocks.PaperAgrees));  // Table 2 dips at 10 blocks too
        Assert.Equal("not measured", Check("DGGRN PSNR rises from K=32 to K=64, IXI").Verdict);

        var namic = Check("DGGRN > ResNet at every epoch, NAMIC x2");
        Assert.Equal(("confirmed", 9), (namic.Verdict, namic.N));
        Assert.Equal(2.0 / 512, namic.PValue!.Value, 12);
        Assert.Equal("DGGRN's mean curve above ResNet's at 3 of 3 epochs", namic.Detail);
        var ixi = Check("DGGRN > ResNet at every epoch, IXI x2");
        Assert.Equal("inconclusive", ixi.Verdict);
        Assert.Equal("DGGRN's mean curve above ResNet's at 2 of 3 epochs", ixi.Detail);
        Assert.Equal((2, 1, 1, 19), (card.Summary.ChecksConfirmed, card.Summary.ChecksContradicted, card.Summary.ChecksInconclusive, card.Summary.ChecksNotMeasured));
    }

    [Fact]
    public async Task Scorecard_and_html_report_from_a_real_orchestrator()
    {
        await using var s = await OrchestratorServer.StartAsync();
        const string spec = """
            name: scorecard
            datasets: [{ name: NAMIC, train: ["phantom:seed=1"], test: ["phantom:seed=2"] }]
            grid: [{ tables: ["1", "fig6"], methods: [dggrn, resnet], scale: [2], seed: [0, 1, 2] }]
            """;
        var exp = await TestSpecs.SubmitAsync(s.Admin, spec);
        var w = await WorkerClient.RegisterAsync(s, await s.TokenAsync("worker"));
        var diffs = HwX.Zip(HwY, (x, y) => x - y).ToArray();
        var env = new TrialEnvironment("report-host", w.Id, "cpu", 2, "10.0.3", "Debian GNU/Linux 12", "worker-9.9", null);
        var grants = await w.LeaseAsync(6);
        Assert.Equal(6, grants.Length);
        foreach (var g in grants)
        {
            (await w.PostAsync(g.TrialId, "started", new TrialStartedRequest(g.LeaseId, null, env))).EnsureSuccessStatusCode();
            var (dggrn, seed) = (g.Config.Method == "dggrn", g.Config.Seed);
            // Test PSNR per epoch (DGGRN above ResNet at each) and 300 steps of training loss with a spike at step 123.
            var at = DateTimeOffset.UtcNow;
            MetricPoint[] points = [.. Enumerable.Range(1, 3).Select(e => new MetricPoint("test/psnr", e * 100, e, 30 + e + (dggrn ? 0.1 * (seed * 3 + e) : 0), at)),
                .. Enumerable.Range(1, 300).Select(k => new MetricPoint("train/loss", k, 1 + k / 100, k == 123 ? 9.5 : 1.0 / k, at))];
            (await w.PostAsync(g.TrialId, "metrics", new MetricBatch(g.LeaseId, g.Attempt, 1, points))).EnsureSuccessStatusCode();
            double[] rn = [30, 31, 32];
            var result = dggrn
                ? Eval(new[] { 37.41, 37.21, 37.01 }[seed], 0.939, [.. rn.Select((v, i) => v + diffs[seed * 3 + i])])
                : Eval(new[] { 37.6, 37.7, 37.8 }[seed], 0.948, rn);
            (await w.PostAsync(g.TrialId, "complete", new TrialCompletedRequest(g.LeaseId, 3, result, 1, 1))).EnsureSuccessStatusCode();
        }

        var card = (await s.Admin.GetFromJsonAsync<Scorecard>($"/api/experiments/{exp.Id}/scorecard", OrchestratorServer.Json))!;
        var dg = card.Cells.Single(c => c.Source == "Table 1" && c.Metric == "PSNR" && c.Labels.SequenceEqual(["NAMIC", "x2", "DGGRN"]));
        Assert.Equal(("within", 3), (dg.Verdict, dg.N));
        Assert.Equal(0.2, dg.Std!.Value, 9);
        Assert.Equal("above", card.Cells.Single(c => c.Source == "Table 1" && c.Metric == "PSNR" && c.Labels.SequenceEqual(["NAMIC", "x2", "ResNet"])).Verdict);
        Assert.Equal("missing", card.Cells.Single(c => c.Source == "Table 1" && c.Metric == "PSNR" && c.Labels.SequenceEqual(["BrainWeb", "x2", "DGGRN"])).Verdict);
        Assert.Equal("confirmed", card.Checks.Single(c => c.Claim == "DGGRN > ResNet, NAMIC x2").Verdict);
        Assert.Equal("confirmed", card.Checks.Single(c => c.Claim == "DGGRN > ResNet at every epoch, NAMIC x2").Verdict);
        var loose = (await s.Admin.GetFromJsonAsync<Scorecard>($"/api/experiments/{exp.Id}/scorecard?toleranceDb=0.75", OrchestratorServer.Json))!;
        Assert.Equal("within", loose.Cells.Single(c => c.Source == "Table 1" && c.Metric == "PSNR" && c.Labels.SequenceEqual(["NAMIC", "x2", "ResNet"])).Verdict);
        var md = await s.Admin.GetStringAsync($"/api/experiments/{exp.Id}/scorecard?format=md");
        Assert.Contains("| Table 1 | NAMIC x2 DGGRN | PSNR | 37.21 | 37.21 ± 0.20 (n=3) | +0.00 | within |", md);
        Assert.Equal(400, (int)(await s.Admin.GetAsync($"/api/experiments/{exp.Id}/scorecard?toleranceDb=-1")).StatusCode);
        Assert.Equal(404, (int)(await s.Admin.GetAsync($"/api/experiments/{Guid.NewGuid()}/scorecard")).StatusCode);

        var r = await s.Admin.GetAsync($"/api/experiments/{exp.Id}/report?format=html");
        r.EnsureSuccessStatusCode();
        Assert.Equal("text/html", r.Content.Headers.ContentType!.MediaType);
        var html = await r.Content.ReadAsStringAsync();
        Assert.StartsWith("<!DOCTYPE html>", html);
        AssertSelfContained(html);
        // The scorecard, the tables beside the paper, the curves as SVG, and each trial's configuration and environment.
        Assert.Contains("Reproduction scorecard", html);
        Assert.Contains("<td class=\"l\">Table 1</td><td class=\"l\">NAMIC x2 DGGRN</td><td class=\"l\">PSNR</td><td>37.21</td><td>37.21 ± 0.20 (n=3)</td>", html);
        Assert.Contains("Table 2: PSNR (dB) vs residual blocks", html);
        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"fig6-namic\"", html);
        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"all-train-loss\"", html);
        Assert.Equal(6, Regex.Matches(html, "<details id=\"trial-").Count);
        Assert.Contains("report-host", html);
        Assert.Contains("worker-9.9", html);
        Assert.Contains("&quot;elasticProbability&quot;: 0", html);                // the configuration, in full
        Assert.Matches("content SHA-256 <code>[0-9a-f]{64}</code>", html);
    }

    /// <summary>Nothing in the document loads anything: no script, no stylesheet link, no image or frame source, no URL in CSS
    /// other than a fragment of the document itself. (An SVG's xmlns names a namespace; nothing fetches it.)</summary>
    internal static void AssertSelfContained(string html)
    {
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Regex.Matches(html, @"\b(src|href)\s*=", RegexOptions.IgnoreCase));
        Assert.Empty(Regex.Matches(html, @"url\((?!#)", RegexOptions.IgnoreCase));
        Assert.Empty(Regex.Matches(html, @"https?://(?!www\.w3\.org/2000/svg"")", RegexOptions.IgnoreCase));
    }
}
