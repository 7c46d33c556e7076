using System.CommandLine;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>`dggrn status [EXPERIMENT_ID] [--json]`: experiments, or one experiment with its trials.</summary>
public static class StatusCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var id = new Argument<string?>("EXPERIMENT_ID") { Description = "Show this experiment's trials", Arity = ArgumentArity.ZeroOrOne };
        var json = CliOptions.Json();
        var cmd = new Command("status", "List experiments, or show one experiment with its trials") { id, json };
        cmd.SetAction(async (p, ct) =>
        {
            using var api = new ApiClient(ApiEndpoint.Resolve());
            if (p.GetValue(id) is { } text)
            {
                var eid = await ExperimentIds.ResolveAsync(api, text, ct);
                var body = await ExperimentIds.NotFoundAsExperimentAsync(eid, () => api.GetStringAsync($"api/experiments/{eid}", ct));
                if (p.GetValue(json)) Console.Out.WriteLine(CliJson.Pretty(body));
                else PrintDetail(System.Text.Json.JsonSerializer.Deserialize<ExperimentDetail>(body, CliJson.Options)!);
            }
            else
            {
                var body = await api.GetStringAsync("api/experiments", ct);
                if (p.GetValue(json)) Console.Out.WriteLine(CliJson.Pretty(body));
                else PrintList(System.Text.Json.JsonSerializer.Deserialize<ExperimentSummary[]>(body, CliJson.Options)!);
            }
            return 0;
        });
        return cmd;
    }

    static void PrintList(ExperimentSummary[] list)
    {
        if (list.Length == 0)
        {
            Console.Out.WriteLine("no experiments yet (submit one with `./dggrn submit --preset smoke`)");
            return;
        }
        var t = new TextTable("ID", "NAME", "STATE", "DONE", "TRIALS BY STATE", "CREATED", "ETA");
        foreach (var e in list.OrderByDescending(e => e.CreatedAt))
            t.Add(e.Id.ToString(), e.Name, e.State, $"{e.TrialsByState.GetValueOrDefault("Succeeded")}/{e.Total}",
                string.Join(" ", e.TrialsByState.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key}:{kv.Value}")),
                Formats.Time(e.CreatedAt), Formats.Duration(e.EtaSeconds));
        t.WriteTo(Console.Out);
    }

    static void PrintDetail(ExperimentDetail d)
    {
        Console.Out.WriteLine($"{d.Name} ({d.Id})  {d.State}  owner {d.Owner}  priority {d.Priority}  ETA {Formats.Duration(d.EtaSeconds)}");
        var t = new TextTable("TRIAL", "METHOD", "DATASET", "N", "K", "SCALE", "SEED", "STATE", "ATTEMPTS", "EPOCH", "WORKER", "BEST PSNR");
        foreach (var x in d.Trials)
            t.Add(x.Id.ToString(), x.Method, x.Dataset, x.Blocks.ToString(), x.Filters.ToString(), $"x{x.Scale}", x.Seed.ToString(),
                x.State + (x.ReusedFrom is null ? "" : " (reused)"), x.Attempts.ToString(),
                x.Epoch + (x.ResumedFromEpoch is { } r ? $" (resumed at {r})" : ""), x.Worker ?? "-", Formats.Number(x.BestPsnr));
        t.WriteTo(Console.Out);
        foreach (var x in d.Trials.Where(x => x.Error is { Length: > 0 }))
            Console.Out.WriteLine($"  {x.Id}: {x.Error!.ReplaceLineEndings(" ")}");
        // A reused trial shows its original's epoch and PSNR; say which original, as the dashboard links it.
        foreach (var x in d.Trials.Where(x => x.ReusedFrom is not null))
            Console.Out.WriteLine($"  {x.Id}: reused from trial {x.ReusedFrom} (its curves, images and checkpoints)");
    }
}
