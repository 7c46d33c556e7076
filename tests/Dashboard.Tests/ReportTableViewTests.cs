using Bunit;
using Dggrn.Contracts.Api;
using Dggrn.Dashboard.Components.Shared;

namespace Dggrn.Dashboard.Tests;

/// <summary>Table rendering: measured beside paper with the difference, grouped labels, std, significance.</summary>
public sealed class ReportTableViewTests : ComponentTestBase
{
    static ReportCell C(double? measured, double? paper, double? std = null, int n = 1) =>
        new(measured, std, measured is null ? 0 : n, paper, measured is { } m && paper is { } p ? m - p : null, []);

    static ReportTable Table1() => new(1, "PSNR (dB) and SSIM", "dggrn-v1", ["PSNR", "SSIM"],
    [
        new(["NAMIC", "x2", "ResNet"], [C(36.80, 37.00), C(0.9901, 0.991)]),
        new(["NAMIC", "x2", "DGGRN"], [C(37.10, 37.21, std: 0.02, n: 3), C(0.9925, 0.992)]),
        new(["NAMIC", "x3", "DGGRN"], [C(null, 33.50), C(null, 0.981)]),
        new(["IXI", "x2", "DGGRN"], [C(38.50, 38.28), C(0.9950, 0.993)]),
    ], ["note one"], [new SignificanceTest("DGGRN vs ResNet, NAMIC x2", "Wilcoxon signed-rank", 120, 0.31, 0.0004)]);

    [Fact]
    public void Renders_measured_paper_and_difference_per_column()
    {
        var cut = Ctx.Render<ReportTableView>(p => p.Add(x => x.Table, Table1()));
        var rows = cut.FindAll("table[data-testid=report-table-1] tbody tr");
        Assert.Equal(4, rows.Count);

        // DGGRN NAMIC x2: 37.10 ± 0.02 measured, 37.21 paper, 37.10 - 37.21 = -0.11 (hand-computed).
        var dggrn = rows[1].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray();
        Assert.Equal(["DGGRN", "37.10 ± 0.02", "37.21", "−0.11", "0.993", "0.992", "+0.001"], dggrn);
        Assert.Equal("diff-neg", rows[1].QuerySelectorAll("td")[3].ClassName);

        // IXI: 38.50 - 38.28 = +0.22.
        Assert.Contains("+0.22", rows[3].TextContent);
        Assert.Equal("diff-pos", rows[3].QuerySelectorAll("td.diff-pos")[0].ClassName);
    }

    [Fact]
    public void Groups_repeated_labels_like_the_paper_and_marks_unmeasured_cells()
    {
        var cut = Ctx.Render<ReportTableView>(p => p.Add(x => x.Table, Table1()));
        var first = cut.FindAll("tbody tr")[0].QuerySelectorAll("td.label");
        // NAMIC spans its three rows, x2 spans two, the method is per row.
        Assert.Equal(["NAMIC", "x2", "ResNet"], first.Select(td => td.TextContent).ToArray());
        Assert.Equal("3", first[0].GetAttribute("rowspan"));
        Assert.Equal("2", first[1].GetAttribute("rowspan"));
        var third = cut.FindAll("tbody tr")[2].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray();
        Assert.Equal(["x3", "DGGRN", "—", "33.50", "—", "—", "0.981", "—"], third);
        Assert.Equal(["Dataset", "Scale", "Method", "PSNR", "SSIM"], cut.FindAll("thead tr")[0].QuerySelectorAll("th").Select(th => th.TextContent).ToArray());
    }

    [Fact]
    public void Lists_significance_tests_and_notes()
    {
        var cut = Ctx.Render<ReportTableView>(p => p.Add(x => x.Table, Table1()));
        var sig = cut.Find("table[data-testid=significance-1] tbody tr").QuerySelectorAll("td").Select(td => td.TextContent).ToArray();
        Assert.Equal(["DGGRN vs ResNet, NAMIC x2", "Wilcoxon signed-rank", "120", "+0.31", "4.0e-4"], sig);
        Assert.Contains("note one", cut.Markup);
    }

    [Fact]
    public void Bolds_the_best_measured_value_among_like_columns()
    {
        var t2 = new ReportTable(2, "PSNR vs blocks", "dggrn-v1", ["ResNet", "DGGRN"],
            [new(["8"], [C(37.00, 37.00), C(37.25, 37.21)])], [], []);
        var cut = Ctx.Render<ReportTableView>(p => p.Add(x => x.Table, t2));
        var measured = cut.FindAll("td.measured");
        Assert.DoesNotContain("font-weight", measured[0].GetAttribute("style") ?? "");
        Assert.Contains("font-weight:700", measured[1].GetAttribute("style"));
        Assert.Equal(["Blocks", "ResNet", "DGGRN"], cut.FindAll("thead tr")[0].QuerySelectorAll("th").Select(th => th.TextContent).ToArray());
    }
}
