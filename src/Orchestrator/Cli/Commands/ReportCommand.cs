using System.CommandLine;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>`dggrn report EXPERIMENT_ID --table 1|2|3 --format md|csv|latex|json`.</summary>
public static class ReportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var id = CliOptions.ExperimentId();
        var table = new Option<int>("--table") { Description = "Paper table: 1, 2 or 3", Required = true };
        table.AcceptOnlyFromAmong("1", "2", "3");
        var format = new Option<string>("--format") { Description = "md, csv, latex or json", DefaultValueFactory = _ => "md" };
        format.AcceptOnlyFromAmong("md", "csv", "latex", "json");
        var cmd = new Command("report", "A paper table with the measured values beside the published ones") { id, table, format };
        cmd.SetAction(async (p, ct) =>
        {
            using var api = new ApiClient(ApiEndpoint.Resolve());
            var eid = await ExperimentIds.ResolveAsync(api, p.GetValue(id)!, ct);
            var fmt = p.GetValue(format)!;
            var text = await ExperimentIds.NotFoundAsExperimentAsync(eid,
                () => api.GetStringAsync($"api/experiments/{eid}/report?table={p.GetValue(table)}&format={fmt}", ct));
            Console.Out.Write(fmt == "json" ? CliJson.Pretty(text) + Environment.NewLine : text.EndsWith('\n') ? text : text + Environment.NewLine);
            return 0;
        });
        return cmd;
    }
}
