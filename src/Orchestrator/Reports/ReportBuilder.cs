using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Reports;

namespace Dggrn.Orchestrator.Reports;

/// <summary>Builds the paper's Tables 1-3 from succeeded trials, measured beside published (<see cref="PaperResults"/>).</summary>
/// <remarks>
/// A cell is the mean over the trials (seeds) that feed it, with the sample standard deviation when N &gt; 1.
/// Significance: DGGRN vs ResNet per row group, Wilcoxon signed-rank over per-slice PSNR (all axes pooled), pairing
/// slice i of seed s of one method with slice i of seed s of the other.
/// </remarks>
public static class ReportBuilder
{
    static readonly string[] DatasetOrder = ["BrainWeb", "NAMIC", "IXI"];

    /// <summary>Table 1, 2 or 3 of <paramref name="protocol"/> from <paramref name="trials"/>.</summary>
    public static ReportTable Build(int table, string protocol, IReadOnlyList<ReportTrial> trials) => table switch
    {
        1 => Table1(protocol, [.. trials.Where(t => t.Tables.Contains("1"))]),
        2 => Table2(protocol, [.. trials.Where(t => t.Tables.Contains("2"))]),
        3 => Table3(protocol, [.. trials.Where(t => t.Tables.Contains("3"))]),
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "table is 1, 2 or 3"),
    };

    /// <summary>Display name of a method ("dggrn" -> "DGGRN").</summary>
    public static string MethodName(string method) => method.ToLowerInvariant() switch
    {
        "dggrn" => "DGGRN",
        "resnet" => "ResNet",
        "bicubic" => "Bicubic",
        "scsr" => "SCSR",
        "recnn" => "ReCNN",
        "nmu" => "NMU",
        "lrtv" => "LRTV",
        _ => method,
    };

    static ReportTable Table1(string protocol, List<ReportTrial> trials)
    {
        var paperMethods = PaperResults.Table1.Select(r => r.Method).Distinct().ToList();
        var keys = PaperResults.Table1.Select(r => (r.Dataset, r.Scale))
            .Concat(trials.Select(t => (t.Dataset, t.Scale))).Distinct()
            .OrderBy(k => DatasetRank(k.Dataset)).ThenBy(k => k.Dataset, StringComparer.Ordinal).ThenBy(k => k.Scale).ToList();
        var rows = new List<ReportRow>();
        var tests = new List<SignificanceTest>();
        foreach (var (dataset, scale) in keys)
        {
            var cellTrials = trials.Where(t => t.Dataset == dataset && t.Scale == scale).ToList();
            var methods = paperMethods.Concat(cellTrials.Select(t => MethodName(t.Method))).Distinct().ToList();
            foreach (var method in methods)
            {
                var fed = cellTrials.Where(t => MethodName(t.Method) == method).ToList();
                var paper = PaperResults.Table1.FirstOrDefault(r => r.Dataset == dataset && r.Scale == scale && r.Method == method);
                if (paper is null && fed.Count == 0) continue;
                rows.Add(new ReportRow([dataset, $"x{scale}", method],
                    [Cell(fed, t => t.Result.Overall.Psnr, paper?.Psnr), Cell(fed, t => t.Result.Overall.Ssim, paper?.Ssim)]));
            }
            if (Compare($"DGGRN vs ResNet, {dataset} x{scale}", cellTrials) is { } s) tests.Add(s);
        }
        return new ReportTable(1, "PSNR (dB) and SSIM per dataset, scale and method", protocol, ["PSNR", "SSIM"], [.. rows],
            ["Measured: mean ± sample std over seeds (N trials); paper: Du and He 2019, Table 1; diff = measured - paper."], [.. tests]);
    }

    static ReportTable Table2(string protocol, List<ReportTrial> trials)
    {
        var blocks = PaperResults.Table2.Select(r => r.Blocks).Concat(trials.Select(t => t.Blocks)).Distinct().Order().ToList();
        var rows = new List<ReportRow>();
        var tests = new List<SignificanceTest>();
        foreach (var n in blocks)
        {
            var fed = trials.Where(t => t.Blocks == n).ToList();
            var paper = PaperResults.Table2.FirstOrDefault(r => r.Blocks == n);
            rows.Add(new ReportRow([n.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            [
                Cell([.. fed.Where(t => t.Method == "resnet")], t => t.Result.Overall.Psnr, paper?.ResNet),
                Cell([.. fed.Where(t => t.Method == "dggrn")], t => t.Result.Overall.Psnr, paper?.Dggrn),
            ]));
            if (Compare($"DGGRN vs ResNet, {n} blocks", fed) is { } s) tests.Add(s);
        }
        return new ReportTable(2, "PSNR (dB) vs residual blocks", protocol, ["ResNet", "DGGRN"], [.. rows],
            ["Read as NAMIC, x2, K=64 (the paper's 8-block values equal its Table 1 NAMIC x2 row)."], [.. tests]);
    }

    static ReportTable Table3(string protocol, List<ReportTrial> trials)
    {
        var dggrn = trials.Where(t => t.Method == "dggrn").ToList();
        var ks = PaperResults.Table3.SelectMany(r => r.PsnrByFilters.Keys).Concat(dggrn.Select(t => t.Filters)).Distinct().Order().ToList();
        var datasets = PaperResults.Table3.Select(r => r.Dataset).Concat(dggrn.Select(t => t.Dataset)).Distinct()
            .OrderBy(DatasetRank).ThenBy(d => d, StringComparer.Ordinal).ToList();
        var rows = datasets.Select(d =>
        {
            var paper = PaperResults.Table3.FirstOrDefault(r => r.Dataset == d);
            return new ReportRow([d], [.. ks.Select(k => Cell([.. dggrn.Where(t => t.Dataset == d && t.Filters == k)],
                t => t.Result.Overall.Psnr, paper is not null && paper.PsnrByFilters.TryGetValue(k, out var p) ? p : null))]);
        }).ToArray();
        var notes = new List<string> { "DGGRN, 8 blocks, x2; PSNR (dB) by number of filters K." };
        foreach (var k in ks)
        {
            var secs = dggrn.Where(t => t.Filters == k && t.SecondsPerEpoch is not null).Select(t => t.SecondsPerEpoch!.Value).ToList();
            var paperSecs = PaperResults.Table3SecondsPerEpoch.TryGetValue(k, out var ps) ? $"{ps:0} s" : "n/a";
            notes.Add($"K={k}: seconds per epoch measured {(secs.Count > 0 ? $"{secs.Average():0.0} s" : "n/a")}, paper {paperSecs} (Titan X)");
        }
        return new ReportTable(3, "PSNR (dB) vs filters K", protocol, [.. ks.Select(k => $"K={k}")], rows, [.. notes], []);
    }

    static int DatasetRank(string d) => Array.IndexOf(DatasetOrder, d) is var i && i >= 0 ? i : DatasetOrder.Length;

    /// <summary>Mean (and sample std) of <paramref name="value"/> over <paramref name="fed"/>, beside the paper value.</summary>
    public static ReportCell Cell(IReadOnlyList<ReportTrial> fed, Func<ReportTrial, double> value, double? paper)
    {
        if (fed.Count == 0) return new ReportCell(null, null, 0, paper, null, []);
        var v = fed.Select(value).ToArray();
        var mean = v.Average();
        double? std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : null;
        return new ReportCell(mean, std, v.Length, paper, paper is { } p ? mean - p : null, [.. fed.Select(t => t.Id)]);
    }

    static SignificanceTest? Compare(string label, IReadOnlyList<ReportTrial> trials)
    {
        var a = new List<double>();
        var b = new List<double>();
        foreach (var g in trials.Where(t => t.Method == "dggrn").GroupBy(t => (t.Dataset, t.Scale, t.Blocks, t.Filters, t.Seed)))
        {
            var x = g.First().Result.Overall.PerSlicePsnr;
            var y = trials.FirstOrDefault(t => t.Method == "resnet" && (t.Dataset, t.Scale, t.Blocks, t.Filters, t.Seed) == g.Key)?.Result.Overall.PerSlicePsnr;
            if (x is null || y is null || x.Length != y.Length) continue;
            a.AddRange(x);
            b.AddRange(y);
        }
        if (a.Count == 0) return null;
        var r = SignedRankTest.Test(a, b);
        return new SignificanceTest(label, r.Exact ? "Wilcoxon signed-rank (exact)" : "Wilcoxon signed-rank (normal approximation)",
            a.Count, a.Zip(b, (x, y) => x - y).Average(), r.PValue);
    }
}
