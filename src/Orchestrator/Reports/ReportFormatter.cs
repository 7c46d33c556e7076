using System.Globalization;
using System.Text;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Reports;

/// <summary>Renders a <see cref="ReportTable"/> as Markdown, CSV or LaTeX.</summary>
public static class ReportFormatter
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Label column headers of each table.</summary>
    public static string[] LabelHeaders(int table) => table switch
    {
        1 => ["Dataset", "Scale", "Method"],
        2 => ["Blocks"],
        _ => ["Dataset"],
    };

    /// <summary>"md", "csv" or "latex".</summary>
    public static string Format(ReportTable t, string format) => format switch
    {
        "md" => Markdown(t),
        "csv" => Csv(t),
        "latex" => Latex(t),
        _ => throw new ArgumentException($"format '{format}' is not md, csv or latex", nameof(format)),
    };

    static string Digits(string column) => column.Contains("SSIM", StringComparison.OrdinalIgnoreCase) ? "0.0000" : "0.00";

    /// <summary>"34.12 ± 0.05 (paper 34.32, -0.20)"; "— (paper 34.32)" when not measured.</summary>
    public static string CellText(ReportCell c, string column, string pm = "±", string dash = "—")
    {
        var f = Digits(column);
        var measured = c.Measured is { } m ? m.ToString(f, Inv) + (c.Std is { } s ? $" {pm} {s.ToString(f, Inv)}" : "") : dash;
        return c.Paper is { } p
            ? $"{measured} (paper {p.ToString(f, Inv)}{(c.Diff is { } d ? ", " + d.ToString("+" + f + ";-" + f, Inv) : "")})"
            : measured;
    }

    static string Markdown(ReportTable t)
    {
        var sb = new StringBuilder();
        sb.Append(Inv, $"### Table {t.Table}: {t.Title} (protocol {t.Protocol})\n\n");
        var headers = LabelHeaders(t.Table).Concat(t.Columns).ToArray();
        sb.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n");
        sb.Append('|').Append(string.Concat(headers.Select(_ => "---|"))).Append('\n');
        foreach (var r in t.Rows)
            sb.Append("| ").Append(string.Join(" | ", r.Labels.Concat(r.Cells.Select((c, i) => CellText(c, t.Columns[i]))))).Append(" |\n");
        if (t.Significance.Length > 0)
        {
            sb.Append("\n| Comparison | Test | Pairs | Mean difference (dB) | p |\n|---|---|---|---|---|\n");
            foreach (var s in t.Significance)
                sb.Append(Inv, $"| {s.Comparison} | {s.Test} | {s.Pairs} | {s.MeanDifference:0.000} | {s.PValue:0.####E+0} |\n");
        }
        foreach (var n in t.Notes) sb.Append("\n> ").Append(n).Append('\n');
        return sb.ToString();
    }

    static string Csv(ReportTable t)
    {
        var sb = new StringBuilder();
        var headers = LabelHeaders(t.Table).Concat(t.Columns.SelectMany(c =>
            new[] { $"{c}_measured", $"{c}_std", $"{c}_n", $"{c}_paper", $"{c}_diff" }));
        sb.Append(string.Join(",", headers.Select(Quote))).Append('\n');
        foreach (var r in t.Rows)
        {
            var cells = r.Cells.SelectMany(c => new[] { Num(c.Measured), Num(c.Std), c.N.ToString(Inv), Num(c.Paper), Num(c.Diff) });
            sb.Append(string.Join(",", r.Labels.Select(Quote).Concat(cells))).Append('\n');
        }
        return sb.ToString();
    }

    static string Latex(ReportTable t)
    {
        var labels = LabelHeaders(t.Table);
        var sb = new StringBuilder();
        sb.Append("\\begin{tabular}{").Append(new string('l', labels.Length)).Append(new string('r', t.Columns.Length)).Append("}\n\\hline\n");
        sb.Append(string.Join(" & ", labels.Concat(t.Columns).Select(Tex))).Append(" \\\\\n\\hline\n");
        foreach (var r in t.Rows)
            sb.Append(string.Join(" & ", r.Labels.Select(Tex).Concat(r.Cells.Select((c, i) => Tex(CellText(c, t.Columns[i], "$\\pm$", "--")))))).Append(" \\\\\n");
        sb.Append("\\hline\n\\end{tabular}\n");
        return sb.ToString();
    }

    static string Num(double? v) => v is { } x ? x.ToString("R", Inv) : "";
    static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
    static string Tex(string s) => s.Replace("%", "\\%").Replace("_", "\\_").Replace("&", "\\&").Replace("#", "\\#");
}
