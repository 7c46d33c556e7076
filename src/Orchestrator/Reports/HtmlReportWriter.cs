using System.Globalization;
using System.Text;
using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Reports;

/// <summary>
/// Writes an experiment's frozen report as one self-contained HTML document: inline CSS, charts as inline SVG, no script and
/// no reference to any other file or address, so it can be mailed, attached to a paper and opened offline years later.
/// </summary>
/// <remarks>Sections: what was run; the scorecard (every published value and ordering with its verdict); Tables 1-3 beside
/// the paper; Figure 6 and the training curves; then every trial with its result, configuration, data (content hashes) and
/// environment (versions, device, numerics check). Trials fold (&lt;details&gt;) so a 183-trial grid stays readable.</remarks>
public static class HtmlReportWriter
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    static readonly JsonSerializerOptions Indented = new(WireJson.Options) { WriteIndented = true };

    const string Css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#222;line-height:1.4;padding:0 16px}
        h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.25rem;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:1.05rem;margin:18px 0 6px}
        table{border-collapse:collapse;margin:6px 0 12px;font-size:.85rem}td,th{border-bottom:1px solid #e4e4e4;padding:3px 8px;text-align:right;vertical-align:top}
        th{background:#f6f6f6}td.l,th.l{text-align:left}.muted{color:#666}.small{font-size:.8rem}
        .within{background:#e8f5e9}.above{background:#e3f2fd}.below{background:#ffebee}.missing,.waiting,.running,.cancelled{background:#f5f5f5;color:#555}
        .failed,.diverged,.contradicted{background:#ffebee}.confirmed{background:#e8f5e9}.inconclusive,.notmeasured{background:#fff8e1}
        pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:.78rem;max-height:28rem}code{font-size:.8rem;word-break:break-all}
        details{border:1px solid #e4e4e4;border-radius:4px;margin:4px 0;padding:4px 8px}summary{cursor:pointer}
        .charts{display:flex;flex-wrap:wrap;gap:12px}.kv th{text-align:left;width:1%;white-space:nowrap}.kv td{text-align:left}
        """;

    /// <summary>The report document.</summary>
    public static string Write(HtmlReportModel m)
    {
        var e = m.Experiment;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(H($"{e.Name} · DGGRN Lab report"))
          .Append("</title><style>").Append(Css).Append("</style></head><body>\n");
        Header(sb, m);
        Scorecard(sb, m.Scorecard);
        foreach (var t in m.Tables) Table(sb, t);
        Curves(sb, m);
        Trials(sb, m);
        sb.Append("<p class=\"muted small\">Written by DGGRN Lab. Everything above is in this one file: it needs no network and no other file.</p>\n</body></html>\n");
        return sb.ToString();
    }

    static void Header(StringBuilder sb, HtmlReportModel m)
    {
        var e = m.Experiment;
        var states = m.Trials.GroupBy(t => TrialStates.Display(t.State, t.Diverged)).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}");
        var configs = m.Trials.Select(t => Config(t.ConfigJson)).OfType<TrialConfig>().ToList();
        sb.Append("<h1>").Append(H(e.Name)).Append("</h1>\n<table class=\"kv\">");
        Kv(sb, "experiment", $"<code>{e.Id}</code>");
        Kv(sb, "owner", H(e.Owner));
        Kv(sb, "protocol", H(e.Protocol) + " <span class=\"muted\">(../shared/paper/PROTOCOL.md; docs/decisions.md)</span>");
        Kv(sb, "state", $"{H(e.State.ToString())}; {m.Trials.Count} trials: {H(string.Join(", ", states))}");
        Kv(sb, "times (UTC)", $"created {When(e.CreatedAt)}, started {When(e.StartedAt)}, finished {When(e.FinishedAt)}; report written {When(m.GeneratedAt)}");
        Kv(sb, "code version", H(string.Join(", ", configs.Select(c => c.CodeVersion).Distinct().Order())));
        foreach (var d in configs.Select(c => c.Dataset).DistinctBy(d => (d.Name, d.ContentHash)).OrderBy(d => d.Name))
            Kv(sb, $"data: {d.Name}", $"content SHA-256 <code>{H(d.ContentHash)}</code><br><span class=\"small\">train: {H(string.Join("; ", d.Train))}<br>test: {H(string.Join("; ", d.Test))}</span>");
        sb.Append("</table>\n");
    }

    static void Scorecard(StringBuilder sb, Scorecard s)
    {
        sb.Append("<h2 id=\"scorecard\">Reproduction scorecard</h2>\n<p>").Append(H(ScorecardFormatter.Summary(s))).Append(".</p>\n");
        sb.Append(Inv, $"<p class=\"muted small\">A measured value is the mean ± sample std over the seeds that succeeded (n). Verdict: within {s.ToleranceDb:0.###} dB (PSNR) or {s.ToleranceSsim:0.####} (SSIM) of the paper, else above or below; an unmeasured cell says why (missing from the grid, waiting, running, failed, diverged). Figure 6 prints no numbers: its curves end at Table 1's x2 values, which its cells are compared with. Orderings: paired Wilcoxon signed-rank test, two-sided, at p &lt; {s.Alpha:0.##}.</p>\n");
        sb.Append("<table><tr><th class=\"l\">source</th><th class=\"l\">cell</th><th class=\"l\">metric</th><th>paper</th><th>measured (mean ± std, n)</th><th>diff</th><th class=\"l\">verdict</th><th class=\"l\">trials</th></tr>\n");
        foreach (var c in s.Cells)
            sb.Append(Inv, $"<tr class=\"{c.Verdict}\"><td class=\"l\">{H(c.Source)}</td><td class=\"l\">{H(string.Join(" ", c.Labels))}</td><td class=\"l\">{c.Metric}</td><td>{c.Paper.ToString(ScorecardFormatter.Digits(c.Metric), Inv)}</td><td>{H(ScorecardFormatter.Measured(c))}</td><td>{ScorecardFormatter.Diff(c)}</td><td class=\"l\">{c.Verdict}</td><td class=\"l small\">{H(string.Join(", ", c.Trials.Select(kv => $"{kv.Value} {kv.Key}")))}</td></tr>\n");
        sb.Append("</table>\n<h3>Orderings the paper claims</h3>\n<table><tr><th class=\"l\">claim</th><th class=\"l\">source</th><th class=\"l\">paper's values</th><th class=\"l\">pairs</th><th>mean difference (dB)</th><th class=\"l\">test</th><th>p</th><th class=\"l\">verdict</th></tr>\n");
        foreach (var k in s.Checks)
            sb.Append(Inv, $"<tr class=\"{k.Verdict.Replace(" ", "")}\"><td class=\"l\">{H(k.Claim)}</td><td class=\"l\">{H(k.Source)}</td><td class=\"l\">{H(k.PaperValues)}{(k.PaperAgrees ? "" : " <b>(the paper's own values disagree)</b>")}</td><td class=\"l small\">{H(k.Pairs)}</td><td>{(k.MeanDifference is { } d ? d.ToString("+0.000;-0.000", Inv) : "—")}</td><td class=\"l small\">{H(k.Test ?? "—")}</td><td>{ScorecardFormatter.P(k.PValue)}</td><td class=\"l\">{H(k.Verdict)}{(k.Detail is null ? "" : $"<br><span class=\"small\">{H(k.Detail)}</span>")}</td></tr>\n");
        sb.Append("</table>\n");
    }

    static void Table(StringBuilder sb, ReportTable t)
    {
        sb.Append(Inv, $"<h2 id=\"table{t.Table}\">Table {t.Table}: {H(t.Title)}</h2>\n<table><tr>");
        foreach (var l in ReportFormatter.LabelHeaders(t.Table)) sb.Append("<th class=\"l\">").Append(H(l)).Append("</th>");
        foreach (var c in t.Columns) sb.Append("<th>").Append(H(c)).Append(" measured</th><th>paper</th><th>diff</th>");
        sb.Append("</tr>\n");
        foreach (var r in t.Rows)
        {
            sb.Append("<tr>");
            foreach (var l in r.Labels) sb.Append("<td class=\"l\">").Append(H(l)).Append("</td>");
            for (var i = 0; i < r.Cells.Length; i++)
            {
                var c = r.Cells[i];
                var f = t.Columns[i].Contains("SSIM", StringComparison.OrdinalIgnoreCase) ? "0.000" : "0.00";
                var measured = c.Measured is { } v ? v.ToString(f, Inv) + (c.Std is { } s ? $" ± {s.ToString(f, Inv)}" : "") + $" <span class=\"muted small\">n={c.N}</span>" : "—";
                sb.Append(Inv, $"<td>{measured}</td><td class=\"muted\">{(c.Paper is { } p ? p.ToString(f, Inv) : "—")}</td><td>{(c.Diff is { } d ? d.ToString("+" + f + ";-" + f, Inv) : "—")}</td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</table>\n");
        if (t.Significance.Length > 0)
        {
            sb.Append("<table><tr><th class=\"l\">comparison</th><th class=\"l\">test</th><th>pairs</th><th>mean difference (dB)</th><th>p</th></tr>\n");
            foreach (var s in t.Significance)
                sb.Append(Inv, $"<tr><td class=\"l\">{H(s.Comparison)}</td><td class=\"l\">{H(s.Test)}</td><td>{s.Pairs}</td><td>{s.MeanDifference:+0.000;-0.000}</td><td>{ScorecardFormatter.P(s.PValue)}</td></tr>\n");
            sb.Append("</table>\n");
        }
        foreach (var n in t.Notes) sb.Append("<p class=\"muted small\">").Append(H(n)).Append("</p>\n");
    }

    static void Curves(StringBuilder sb, HtmlReportModel m)
    {
        sb.Append("<h2 id=\"curves\">Curves</h2>\n<h3>Figure 6: test PSNR per epoch, DGGRN vs ResNet, x2 (mean over seeds, band = min to max)</h3>\n<div class=\"charts\">");
        var fig6Ids = ScorecardBuilder.Fig6Trials([.. m.Trials.Select(t => new ScoreTrial(t.Id, t.Method, t.Dataset, t.Blocks, t.Filters, t.Scale, t.Seed, t.Tables, "", null))])
            .Select(t => t.Id).ToHashSet();
        var fig6 = m.Trials.Where(t => fig6Ids.Contains(t.Id)).ToList();
        foreach (var g in fig6.GroupBy(t => t.Dataset).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var series = g.GroupBy(t => t.Method).OrderBy(x => x.Key).Select(x => Band(x.Key == "dggrn" ? "DGGRN" : "ResNet", x.Key == "dggrn" ? "#d32f2f" : "#1976d2",
                [.. x.Where(t => m.PsnrByEpoch.ContainsKey(t.Id)).Select(t => m.PsnrByEpoch[t.Id])])).OfType<SvgSeries>().ToList();
            sb.Append("<div><div class=\"small\">").Append(H(g.Key)).Append("</div>")
              .Append(SvgChart.Render($"fig6-{Slug(g.Key)}", series, "epoch", "test PSNR (dB)", width: 370, height: 280)).Append("</div>");
        }
        if (fig6.Count == 0) sb.Append("<p class=\"muted\">No DGGRN/ResNet x2 trials in this grid.</p>");
        sb.Append("</div>\n<h3>Test PSNR per epoch, every trial</h3>\n");
        var all = m.Trials.Where(t => m.PsnrByEpoch.ContainsKey(t.Id)).Select((t, i) =>
            new SvgSeries(t.Key, SvgChart.Colour(i), [.. m.PsnrByEpoch[t.Id].Keys.Select(k => (double)k)], [.. m.PsnrByEpoch[t.Id].Values])).ToList();
        sb.Append(SvgChart.Render("all-test-psnr", all, "epoch", "test PSNR (dB)", width: 1140, height: 360));
        sb.Append("<h3>Training loss per step, every trial</h3>\n<p class=\"muted small\">").Append(H(m.StepLoss.Exact
            ? "Every recorded point."
            : $"Each bucket of {m.StepLoss.BucketSteps:N0} steps is drawn by its first, smallest, largest and last point, so every spike and dip shows; {m.StepLoss.Points:N0} points drawn.")).Append("</p>\n");
        var loss = m.StepLoss.Series.Where(s => s.Steps.Length > 0).Select((s, i) => new SvgSeries(
            m.Trials.FirstOrDefault(t => t.Id == s.TrialId)?.Key ?? s.TrialId.ToString(), SvgChart.Colour(i), [.. s.Steps.Select(x => (double)x)], s.Values)).ToList();
        sb.Append(SvgChart.Render("all-train-loss", loss, "step", "training loss", logY: true, width: 1140, height: 360)).Append('\n');
    }

    // Mean curve over seeds with its min-max band; null without points.
    static SvgSeries? Band(string label, string colour, List<IReadOnlyDictionary<int, double>> curves)
    {
        var epochs = curves.SelectMany(c => c.Keys).Distinct().Order().ToList();
        if (epochs.Count == 0) return null;
        var at = epochs.Select(e => curves.Where(c => c.ContainsKey(e)).Select(c => c[e]).ToList()).ToList();
        return new SvgSeries($"{label} (n={curves.Count})", colour, [.. epochs.Select(e => (double)e)], [.. at.Select(v => v.Average())],
            curves.Count > 1 ? [.. at.Select(v => v.Min())] : null, curves.Count > 1 ? [.. at.Select(v => v.Max())] : null);
    }

    static void Trials(StringBuilder sb, HtmlReportModel m)
    {
        sb.Append("<h2 id=\"trials\">Trials: configuration and environment</h2>\n");
        foreach (var t in m.Trials)
        {
            var result = Result(t);
            sb.Append("<details id=\"trial-").Append(t.Id).Append("\"><summary><b>").Append(H(t.Key)).Append("</b> · ")
              .Append(H(TrialStates.Display(t.State, t.Diverged)))
              .Append(result is { } r ? string.Create(Inv, $" · PSNR {r.Overall.Psnr:0.00} dB, SSIM {r.Overall.Ssim:0.000} ({r.Overall.Slices} slices)") : "")
              .Append(t.Seconds is { } secs ? string.Create(Inv, $" · {secs:0} s") : "").Append("</summary>\n<table class=\"kv\">");
            Kv(sb, "identity", $"<code>{H(t.Identity)}</code>");
            Kv(sb, "trial id", $"<code>{t.Id}</code>" + (t.ReusedFromTrialId is { } o ? $" (reused from <code>{o}</code>, whose data these are)" : ""));
            Kv(sb, "epochs, attempt", $"{t.Epoch} epochs, step {t.Step}; attempt {t.Attempt}{(t.ResumedFromEpoch is { } re ? $", resumed from epoch {re}" : "")}");
            if (t.Parameters is { } p) Kv(sb, "parameters", p.ToString("N0", Inv));
            if (t.Error is { } err) Kv(sb, t.Diverged ? "diverged" : "error", H(err));
            if (result is not null)
                Kv(sb, "result per axis", H(string.Join("; ", result.Axes.OrderBy(a => a.Key).Select(a => $"axis {a.Key}: {a.Value.Psnr.ToString("0.00", Inv)} dB, {a.Value.Ssim.ToString("0.000", Inv)} ({a.Value.Slices} slices)"))));
            if (Config(t.ConfigJson) is { } c)
                Kv(sb, "data", $"{H(c.Dataset.Name)} ({H(c.Dataset.Modality)}), content SHA-256 <code>{H(c.Dataset.ContentHash)}</code>");
            Environment(sb, t.EnvironmentJson);
            sb.Append("</table>\n<div class=\"small\">configuration</div><pre>").Append(H(Pretty(t.ConfigJson))).Append("</pre>");
            if (m.PsnrByEpoch.TryGetValue(t.Id, out var curve))
                sb.Append(SvgChart.Render($"trial-{t.Id:N}", [new SvgSeries("test PSNR", "#1976d2", [.. curve.Keys.Select(k => (double)k)], [.. curve.Values])],
                    "epoch", "test PSNR (dB)", width: 420, height: 200));
            sb.Append("</details>\n");
        }
    }

    static void Environment(StringBuilder sb, string? json)
    {
        TrialEnvironment? env = null;
        try { env = json is null ? null : JsonSerializer.Deserialize<TrialEnvironment>(json, WireJson.Options); }
        catch (JsonException) { }
        if (env is null)
        {
            Kv(sb, "environment", "<span class=\"muted\">not recorded (recorded when an attempt starts)</span>");
            return;
        }
        Kv(sb, "worker", H($"{env.WorkerId} on {env.Host}"));
        Kv(sb, "device", H($"{env.Device}, {env.Threads} thread{(env.Threads == 1 ? "" : "s")}"));
        Kv(sb, "software", H($".NET {env.Runtime}; worker {env.WorkerVersion}; {env.Os}"));
        if (env.Numerics is not { } n)
        {
            Kv(sb, "numerics check", "<span class=\"muted\">none (a method without a network)</span>");
            return;
        }
        Kv(sb, "numerics check", H($"{(n.Passed ? "passed" : "FAILED")}: path {n.Path ?? "none"}, max relative error {n.MaxRelativeError.ToString("0.###E+0", Inv)} (tolerance {n.Tolerance.ToString("0.###E+0", Inv)}), {n.Threads} threads on {n.Device}, checked {When(n.CheckedAt)}{(n.Reason is { } why ? $"; {why}" : "")}"));
        Kv(sb, "CPU", H($"{n.CpuModel}{(n.CpuVendor is { } v ? $" ({v}" + (n.CpuFamily is { } f ? $", family {f}" : "") + (n.CpuModelNumber is { } mn ? $", model {mn}" : "") + ")" : "")}{(n.Isa is { } isa ? $", ISA {isa}" : "")}"));
        Kv(sb, "libraries", H($"libtorch {n.Libtorch}, TorchSharp {n.TorchSharp}{(n.OneDnn is { } o ? $", {o}" : "")}"));
        if (n.OneDnnKernels.Length > 0) Kv(sb, "conv kernels", H(string.Join("; ", n.OneDnnKernels)));
    }

    static EvalResult? Result(TrialEntity t)
    {
        if (t.ResultJson is null) return null;
        try { return JsonSerializer.Deserialize<EvalResult>(t.ResultJson, WireJson.Options); }
        catch (JsonException) { return null; }
    }

    static TrialConfig? Config(string json)
    {
        try { return JsonSerializer.Deserialize<TrialConfig>(json, WireJson.Options); }
        catch (JsonException) { return null; }
    }

    static string Pretty(string json)
    {
        try { return JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, Indented); }
        catch (JsonException) { return json; }
    }

    static void Kv(StringBuilder sb, string key, string html) => sb.Append("<tr><th>").Append(H(key)).Append("</th><td>").Append(html).Append("</td></tr>");
    static string When(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Inv) : "—";
    static string Slug(string s) => string.Concat(s.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-'));
    // Only the five characters HTML gives meaning to: the document is UTF-8, so "±" and "×" stay readable in the source.
    static string H(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;");
}
