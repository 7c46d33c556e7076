using System.CommandLine;
using System.Globalization;
using System.Text;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>
/// `dggrn report EXPERIMENT_ID --table 1|2|3 --format md|csv|latex|json`, `--scorecard [--format md|json]`, or
/// `--format html [--output FILE]` (the frozen, self-contained report).
/// </summary>
public static class ReportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var id = CliOptions.ExperimentId();
        var table = new Option<int?>("--table") { Description = "Paper table: 1, 2 or 3" };
        table.AcceptOnlyFromAmong("1", "2", "3");
        var scorecard = new Option<bool>("--scorecard")
        {
            Description = "The reproduction scorecard: every published value of Tables 1-3 and Figure 6 with the measured mean ± std and a verdict, and the paper's orderings with their paired tests",
        };
        var format = new Option<string?>("--format")
        {
            Description = "md, csv, latex or json for a table; md or json for the scorecard; html: one self-contained file with every table, the scorecard, the curves (SVG) and each trial's configuration and environment",
        };
        format.AcceptOnlyFromAmong("md", "csv", "latex", "json", "html");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var tolDb = new Option<double?>("--tolerance-db") { Description = "Scorecard: a PSNR cell within this many dB of the paper is 'within' (default 0.5)" };
        var tolSsim = new Option<double?>("--tolerance-ssim") { Description = "Scorecard: the same for SSIM (default 0.01)" };
        var cmd = new Command("report", "A paper table beside the published values, the reproduction scorecard, or the frozen HTML report")
            { id, table, scorecard, format, output, tolDb, tolSsim };
        cmd.SetAction(async (p, ct) =>
        {
            var fmt = p.GetValue(format);
            var (t, card) = (p.GetValue(table), p.GetValue(scorecard));
            if (fmt != "html" && !card && t is null)
                throw new CliException("give --table 1|2|3, --scorecard, or --format html (the whole report)", 2);
            if (card && fmt is not (null or "md" or "json" or "html"))
                throw new CliException($"--scorecard prints md or json, not {fmt}", 2);
            var tolerances = string.Concat(
                p.GetValue(tolDb) is { } d ? "&toleranceDb=" + d.ToString("R", CultureInfo.InvariantCulture) : "",
                p.GetValue(tolSsim) is { } s ? "&toleranceSsim=" + s.ToString("R", CultureInfo.InvariantCulture) : "");
            using var api = new ApiClient(ApiEndpoint.Resolve());
            var eid = await ExperimentIds.ResolveAsync(api, p.GetValue(id)!, ct);
            fmt ??= "md";
            var path = fmt == "html" ? $"api/experiments/{eid}/report?format=html{tolerances}"
                : card ? $"api/experiments/{eid}/scorecard?format={fmt}{tolerances}"
                : $"api/experiments/{eid}/report?table={t}&format={fmt}";
            var text = await ExperimentIds.NotFoundAsExperimentAsync(eid, () => api.GetStringAsync(path, ct));
            text = fmt == "json" ? CliJson.Pretty(text) + Environment.NewLine : text.EndsWith('\n') ? text : text + Environment.NewLine;
            if (p.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, text, new UTF8Encoding(false), ct);
                Console.Error.WriteLine($"dggrn: wrote {Path.GetFullPath(file)} ({text.Length:N0} characters)");
            }
            else Console.Out.Write(text);
            return 0;
        });
        return cmd;
    }
}
