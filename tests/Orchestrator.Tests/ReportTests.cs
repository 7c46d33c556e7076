using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Reports;

namespace Dggrn.Orchestrator.Tests;

public sealed class ReportTests
{
    static EvalResult Eval(double psnr, double ssim, double[] slices) => new()
    {
        Method = "x", Scale = 2, Overall = new AxisResult { Slices = slices.Length, Psnr = psnr, Ssim = ssim, PerSlicePsnr = slices },
    };

    [Fact]
    public void Signed_rank_exact_and_normal_approximation_match_hand_computation()
    {
        // Five positive distinct differences: W+ = 15 = max; P(W+ >= 15) = 1/32, two-sided 2/32.
        var exact = SignedRankTest.Test([30, 31, 32, 33, 34], [29, 30.5, 31.8, 32.9, 33.95]);
        Assert.Equal((5, 15.0, true), (exact.N, exact.WPlus, exact.Exact));
        Assert.Equal(0.0625, exact.PValue, 12);
        // d = [1, 1, -1, 2]: |d| ranks 2, 2, 2, 4 (ties); W+ = 8; mean 5; var = 4*5*9/24 - (3^3-3)/48 = 7;
        // z = (3 - 0.5)/sqrt(7) = 0.944911; p = erfc(z/sqrt 2) = 0.3447042 (Python math.erfc).
        var approx = SignedRankTest.Test([2, 2, 0, 3], [1, 1, 1, 1]);
        Assert.False(approx.Exact);
        Assert.Equal(8, approx.WPlus);
        Assert.Equal(0.3447042220069577, approx.PValue, 6);
        Assert.Equal(1.0, SignedRankTest.Test([1, 2], [1, 2]).PValue);
    }

    [Fact]
    public void Table2_and_3_cells_sit_beside_the_paper()
    {
        var trials = new List<ReportTrial>
        {
            new(Guid.NewGuid(), "dggrn", "NAMIC", 4, 64, 2, 0, ["2"], Eval(37.0, 0.9, []), null),
            new(Guid.NewGuid(), "dggrn", "NAMIC", 8, 32, 2, 0, ["3"], Eval(37.5, 0.9, []), 40),
            new(Guid.NewGuid(), "dggrn", "NAMIC", 8, 32, 2, 1, ["3"], Eval(36.5, 0.9, []), 50),
        };
        var t2 = ReportBuilder.Build(2, "dggrn-v1", trials);
        Assert.Equal(["ResNet", "DGGRN"], t2.Columns);
        Assert.Equal(["2", "4", "6", "8", "10", "12"], t2.Rows.Select(r => r.Labels[0]));
        var four = t2.Rows[1].Cells[1];
        Assert.Equal((37.0, 37.10, 1), (four.Measured!.Value, four.Paper!.Value, four.N));
        Assert.Equal(-0.10, four.Diff!.Value, 9);
        Assert.Null(t2.Rows[1].Cells[0].Measured);

        var t3 = ReportBuilder.Build(3, "dggrn-v1", trials);
        Assert.Equal(["K=32", "K=64", "K=128"], t3.Columns);
        var namic32 = t3.Rows.Single(r => r.Labels[0] == "NAMIC").Cells[0];
        Assert.Equal((37.0, 2, 37.13), (namic32.Measured!.Value, namic32.N, namic32.Paper!.Value));
        Assert.Equal(Math.Sqrt(0.5), namic32.Std!.Value, 12); // sample std of 37.5, 36.5
        Assert.Contains("K=32: seconds per epoch measured 45.0 s, paper 33 s (Titan X)", t3.Notes);
    }

    [Fact]
    public void Table1_measures_all_seven_methods_in_the_papers_order()
    {
        string[] methods = ["dggrn", "resnet", "scsr", "recnn", "bicubic", "nmu", "lrtv"];
        var trials = methods.Select((m, i) => new ReportTrial(Guid.NewGuid(), m, "IXI", 8, 64, 3, 0, ["1"], Eval(20 + i, 0.9, []), null)).ToList();
        var t1 = ReportBuilder.Build(1, "dggrn-v1", trials);
        var ixi3 = t1.Rows.Where(r => r.Labels[0] == "IXI" && r.Labels[1] == "x3").ToList();
        // table1.csv lists the methods as the paper's Table 1 does: Bicubic, LRTV, NMU, SCSR, ResNet, ReCNN, DGGRN.
        Assert.Equal(["Bicubic", "LRTV", "NMU", "SCSR", "ResNet", "ReCNN", "DGGRN"], ixi3.Select(r => r.Labels[2]));
        Assert.All(ixi3, r => Assert.NotNull(r.Cells[0].Measured));
        // The paper ran NMU and LRTV on BrainWeb and NAMIC only: on IXI they are measured with no published value.
        Assert.All(ixi3, r => Assert.Equal(r.Labels[2] is "NMU" or "LRTV", r.Cells[0].Paper is null));
        Assert.Equal(25.0, ixi3.Single(r => r.Labels[2] == "NMU").Cells[0].Measured!.Value);
        Assert.Equal(26.0, ixi3.Single(r => r.Labels[2] == "LRTV").Cells[0].Measured!.Value);
        Assert.Equal(22.0, ixi3.Single(r => r.Labels[2] == "SCSR").Cells[0].Measured!.Value);
        Assert.Equal(23.0, ixi3.Single(r => r.Labels[2] == "ReCNN").Cells[0].Measured!.Value);
    }

    [Fact]
    public async Task Report_endpoint_md_csv_json_from_completed_trials()
    {
        await using var s = await OrchestratorServer.StartAsync();
        const string spec = """
            name: report
            datasets: [{ name: BrainWeb, train: ["phantom:seed=1"], test: ["phantom:seed=2"] }]
            grid: [{ tables: ["1"], methods: [dggrn, resnet], scale: [2], seed: [0, 1] }]
            """;
        var exp = await TestSpecs.SubmitAsync(s.Admin, spec);
        var w = await WorkerClient.RegisterAsync(s, await s.TokenAsync("worker"));
        var results = new Dictionary<(string, int), EvalResult>
        {
            [("dggrn", 0)] = Eval(34.0, 0.98, [30, 31, 32]),
            [("dggrn", 1)] = Eval(35.0, 0.99, [31, 32, 33]),
            [("resnet", 0)] = Eval(33.0, 0.984, [29.5, 30.8, 31.9]),
            [("resnet", 1)] = Eval(33.5, 0.986, [30.6, 31.7, 33.05]),
        };
        foreach (var g in await w.LeaseAsync(4))
            (await w.PostAsync(g.TrialId, "complete", new TrialCompletedRequest(g.LeaseId, 1, results[(g.Config.Method, g.Config.Seed)], 1, 1))).EnsureSuccessStatusCode();

        var md = await s.Admin.GetStringAsync($"/api/experiments/{exp.Id}/report?table=1&format=md");
        // Means/sample stds by hand: DGGRN 34.5 ± 0.7071, SSIM 0.985 ± 0.00707; ResNet 33.25 ± 0.3536, SSIM 0.985 ± 0.00141.
        Assert.Contains("| BrainWeb | x2 | DGGRN | 34.50 ± 0.71 (paper 34.32, +0.18) | 0.9850 ± 0.0071 (paper 0.9870, -0.0020) |", md);
        Assert.Contains("| BrainWeb | x2 | ResNet | 33.25 ± 0.35 (paper 33.25, +0.00) | 0.9850 ± 0.0014 (paper 0.9850, +0.0000) |", md);
        Assert.Contains("| BrainWeb | x2 | Bicubic | — (paper 21.51) | — (paper 0.8270) |", md);
        // Per-slice differences 0.5, 0.2, 0.1, 0.4, 0.3, -0.05: W+ = 20 of 21, exact two-sided p = 2 * 2/64 = 0.0625.
        Assert.Contains("| DGGRN vs ResNet, BrainWeb x2 | Wilcoxon signed-rank (exact) | 6 | 0.242 | 6.25E-2 |", md);

        var csv = (await s.Admin.GetStringAsync($"/api/experiments/{exp.Id}/report?table=1&format=csv")).Split('\n');
        Assert.Equal("Dataset,Scale,Method,PSNR_measured,PSNR_std,PSNR_n,PSNR_paper,PSNR_diff,SSIM_measured,SSIM_std,SSIM_n,SSIM_paper,SSIM_diff", csv[0]);
        var dggrnRow = csv.Single(l => l.StartsWith("BrainWeb,x2,DGGRN,")).Split(',');
        Assert.Equal(34.5, double.Parse(dggrnRow[3], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal(Math.Sqrt(0.5), double.Parse(dggrnRow[4], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal("2", dggrnRow[5]);

        var json = await s.Admin.GetFromJsonAsync<ReportTable>($"/api/experiments/{exp.Id}/report?table=1&format=json", OrchestratorServer.Json);
        var sig = Assert.Single(json!.Significance);
        Assert.Equal(6, sig.Pairs);
        Assert.Equal(1.45 / 6, sig.MeanDifference, 9);
        Assert.Equal(0.0625, sig.PValue, 12);
        Assert.Equal(2, json.Rows.Single(r => r.Labels[2] == "DGGRN" && r.Labels[0] == "BrainWeb" && r.Labels[1] == "x2").Cells[0].TrialIds.Length);

        var latex = await s.Admin.GetStringAsync($"/api/experiments/{exp.Id}/report?table=1&format=latex");
        Assert.Contains(@"BrainWeb & x2 & DGGRN & 34.50 $\pm$ 0.71 (paper 34.32, +0.18)", latex);
    }
}
