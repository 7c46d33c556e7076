using System.Globalization;

namespace Dggrn.Orchestrator.Reports;

/// <summary>
/// The paper's published figures (Du and He 2019, Tables 1-3), kept by the project as data
/// (embedded CSV files copied from ../shared/paper/). Reports put measured values beside these.
/// </summary>
public static class PaperResults
{
    /// <summary>Table 1: PSNR/SSIM per dataset, scale and method.</summary>
    public static IReadOnlyList<Table1Row> Table1 { get; } = Rows("table1.csv").Select(r => new Table1Row(
        r[0], int.Parse(r[1], CultureInfo.InvariantCulture), r[2], D(r[3]), D(r[4]))).ToArray();

    /// <summary>Table 2: PSNR vs residual blocks (NAMIC, x2, K=64) for ResNet and DGGRN.</summary>
    public static IReadOnlyList<Table2Row> Table2 { get; } = Rows("table2.csv").Select(r => new Table2Row(
        int.Parse(r[0], CultureInfo.InvariantCulture), D(r[1]), D(r[2]))).ToArray();

    /// <summary>Table 3: DGGRN PSNR vs filters K (x2, 8 blocks) per dataset.</summary>
    public static IReadOnlyList<Table3Row> Table3 { get; } = Rows("table3.csv").Select(r => new Table3Row(
        r[0], new Dictionary<int, double> { [32] = D(r[1]), [64] = D(r[2]), [128] = D(r[3]) })).ToArray();

    /// <summary>Seconds per training epoch the paper reports for K = 32, 64, 128 (one Titan X).</summary>
    public static IReadOnlyDictionary<int, double> Table3SecondsPerEpoch { get; } =
        new Dictionary<int, double> { [32] = 33, [64] = 45, [128] = 70 };

    static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    static IEnumerable<string[]> Rows(string file)
    {
        using var s = typeof(PaperResults).Assembly.GetManifestResourceStream($"Dggrn.Orchestrator.Reports.Paper.{file}")
                      ?? throw new InvalidOperationException($"embedded paper table {file} is missing");
        using var r = new StreamReader(s);
        var lines = r.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // First non-comment line is the header.
        return lines.Where(l => !l.StartsWith('#')).Skip(1).Select(l => l.Split(',')).ToArray();
    }
}

/// <summary>One Table 1 cell pair.</summary>
public sealed record Table1Row(string Dataset, int Scale, string Method, double Psnr, double Ssim);

/// <summary>One Table 2 row.</summary>
public sealed record Table2Row(int Blocks, double ResNet, double Dggrn);

/// <summary>One Table 3 row: PSNR by K.</summary>
public sealed record Table3Row(string Dataset, IReadOnlyDictionary<int, double> PsnrByFilters);
