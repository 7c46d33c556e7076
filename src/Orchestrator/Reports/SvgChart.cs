using System.Globalization;
using System.Text;

namespace Dggrn.Orchestrator.Reports;

/// <summary>One curve of an <see cref="SvgChart"/>, with an optional band (e.g. the min-max over seeds) drawn under it.</summary>
public sealed record SvgSeries(string Label, string Colour, double[] X, double[] Y, double[]? BandLow = null, double[]? BandHigh = null, bool Dashed = false);

/// <summary>
/// A static line chart as inline SVG (no script, no fonts, no external reference), for reports that must open offline:
/// axes with round-number ticks (decades on a log axis), one polyline per curve, a legend of at most
/// <see cref="MaxLegend"/> entries, and each curve's name as its tooltip.
/// </summary>
/// <remarks>Output is a pure function of the input (invariant culture, fixed precision), so a report is reproducible byte
/// for byte. Points that a log axis cannot show (zero, negative) and non-finite values break the line.</remarks>
public static class SvgChart
{
    /// <summary>More curves than this draw without a legend (each still names itself on hover).</summary>
    public const int MaxLegend = 12;

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    const int Left = 64, Right = 12, Top = 12, Bottom = 40;

    /// <summary>The chart as an &lt;svg&gt; element of <paramref name="width"/> x <paramref name="height"/> pixels;
    /// <paramref name="id"/> names it in the document (unique per document).</summary>
    public static string Render(string id, IReadOnlyList<SvgSeries> series, string xTitle, string yTitle, bool logY = false, int width = 760, int height = 320)
    {
        var legendRows = series.Count <= MaxLegend ? (series.Count + 2) / 3 : 0;
        var top = Top + legendRows * 16;
        var (pw, ph) = (width - Left - Right, height - top - Bottom);
        bool Shown(double y) => double.IsFinite(y) && (!logY || y > 0);
        var xs = series.SelectMany(s => s.X).Where(double.IsFinite).ToList();
        var ys = series.SelectMany(s => s.Y.Concat(s.BandLow ?? []).Concat(s.BandHigh ?? [])).Where(Shown).ToList();
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{Esc(id)}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" class=\"chart\" role=\"img\" aria-label=\"{Esc(yTitle)} vs {Esc(xTitle)}\">");
        sb.Append(Inv, $"<rect x=\"{Left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"#fff\" stroke=\"#bbb\"/>");
        if (xs.Count == 0 || ys.Count == 0)
        {
            sb.Append(Inv, $"<text x=\"{Left + pw / 2}\" y=\"{top + ph / 2}\" text-anchor=\"middle\" fill=\"#666\" font-size=\"13\">no points</text></svg>");
            return sb.ToString();
        }
        var (x0, x1) = Pad(xs.Min(), xs.Max());
        var (y0, y1) = logY ? (Math.Log10(ys.Min()), Math.Log10(ys.Max())) : (ys.Min(), ys.Max());
        (y0, y1) = Pad(y0, y1);
        double Px(double x) => Left + (x - x0) / (x1 - x0) * pw;
        double Py(double y) => top + ph - ((logY ? Math.Log10(y) : y) - y0) / (y1 - y0) * ph;

        foreach (var t in Ticks(x0, x1))
            sb.Append(Inv, $"<line x1=\"{F(Px(t))}\" y1=\"{top}\" x2=\"{F(Px(t))}\" y2=\"{top + ph}\" stroke=\"#eee\"/><text x=\"{F(Px(t))}\" y=\"{top + ph + 14}\" text-anchor=\"middle\" font-size=\"11\">{Label(t)}</text>");
        foreach (var t in logY ? Decades(y0, y1) : Ticks(y0, y1))
        {
            var py = logY ? top + ph - (t - y0) / (y1 - y0) * ph : Py(t);
            sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{F(py)}\" x2=\"{Left + pw}\" y2=\"{F(py)}\" stroke=\"#eee\"/><text x=\"{Left - 4}\" y=\"{F(py + 4)}\" text-anchor=\"end\" font-size=\"11\">{(logY ? Label(Math.Pow(10, t)) : Label(t))}</text>");
        }
        sb.Append(Inv, $"<text x=\"{Left + pw / 2}\" y=\"{height - 6}\" text-anchor=\"middle\" font-size=\"12\">{Esc(xTitle)}</text>");
        sb.Append(Inv, $"<text transform=\"translate(14 {top + ph / 2}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">{Esc(yTitle)}{(logY ? " (log)" : "")}</text>");
        sb.Append(Inv, $"<clipPath id=\"{Esc(id)}-clip\"><rect x=\"{Left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\"/></clipPath><g clip-path=\"url(#{Esc(id)}-clip)\">");
        foreach (var s in series)
        {
            if (s.BandLow is { } lo && s.BandHigh is { } hi)
            {
                var idx = Enumerable.Range(0, s.X.Length).Where(i => double.IsFinite(s.X[i]) && Shown(lo[i]) && Shown(hi[i])).ToList();
                if (idx.Count > 1)
                    sb.Append(Inv, $"<polygon fill=\"{s.Colour}\" fill-opacity=\"0.18\" stroke=\"none\" points=\"{string.Join(' ', idx.Select(i => $"{F(Px(s.X[i]))},{F(Py(hi[i]))}").Concat(idx.AsEnumerable().Reverse().Select(i => $"{F(Px(s.X[i]))},{F(Py(lo[i]))}")))}\"/>");
            }
            // A break in the data (a value the axis cannot show) starts a new polyline.
            var runs = new List<List<string>> { new() };
            for (var i = 0; i < s.X.Length; i++)
            {
                if (!double.IsFinite(s.X[i]) || !Shown(s.Y[i])) { if (runs[^1].Count > 0) runs.Add([]); continue; }
                runs[^1].Add($"{F(Px(s.X[i]))},{F(Py(s.Y[i]))}");
            }
            sb.Append(Inv, $"<g><title>{Esc(s.Label)}</title>");
            foreach (var run in runs.Where(r => r.Count > 0))
                sb.Append(run.Count == 1
                    ? $"<circle cx=\"{run[0].Split(',')[0]}\" cy=\"{run[0].Split(',')[1]}\" r=\"2\" fill=\"{s.Colour}\"/>"
                    : $"<polyline fill=\"none\" stroke=\"{s.Colour}\" stroke-width=\"1.3\"{(s.Dashed ? " stroke-dasharray=\"4 3\"" : "")} points=\"{string.Join(' ', run)}\"/>");
            sb.Append("</g>");
        }
        sb.Append("</g>");
        for (var i = 0; i < series.Count && legendRows > 0; i++)
        {
            var (lx, ly) = (Left + i % 3 * (pw / 3), Top + i / 3 * 16 + 10);
            sb.Append(Inv, $"<line x1=\"{lx}\" y1=\"{ly - 4}\" x2=\"{lx + 18}\" y2=\"{ly - 4}\" stroke=\"{series[i].Colour}\" stroke-width=\"2\"{(series[i].Dashed ? " stroke-dasharray=\"4 3\"" : "")}/>");
            sb.Append(Inv, $"<text x=\"{lx + 22}\" y=\"{ly}\" font-size=\"11\">{Esc(series[i].Label)}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>A colour per curve from a fixed palette (cycling), so reports look the same every time.</summary>
    public static string Colour(int i) => Palette[i % Palette.Length];

    static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    static (double, double) Pad(double lo, double hi)
    {
        if (hi > lo) { var m = (hi - lo) * 0.03; return (lo - m, hi + m); }
        var d = lo == 0 ? 1 : Math.Abs(lo) * 0.05;
        return (lo - d, hi + d);
    }

    // Round-number ticks: steps of 1, 2 or 5 times a power of ten, about five of them.
    static IEnumerable<double> Ticks(double lo, double hi)
    {
        var raw = (hi - lo) / 5;
        var mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 5, 10 }.Select(k => k * mag).First(s => s >= raw);
        for (var t = Math.Ceiling(lo / step) * step; t <= hi + step * 1e-9; t += step) yield return Math.Round(t / step) * step;
    }

    static IEnumerable<double> Decades(double lo, double hi)
    {
        var (a, b) = ((int)Math.Ceiling(lo), (int)Math.Floor(hi));
        if (a > b) return Ticks(lo, hi);
        var every = Math.Max(1, (b - a + 1) / 6 + 1);
        return Enumerable.Range(a, b - a + 1).Where(d => (d - a) % every == 0).Select(d => (double)d);
    }

    static string Label(double v) => Math.Abs(v) >= 10000 || (Math.Abs(v) < 0.01 && v != 0)
        ? v.ToString("0.###E+0", Inv) : v.ToString("0.####", Inv);

    static string F(double v) => v.ToString("0.0", Inv);

    static string Esc(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;");
}
