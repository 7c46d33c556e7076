using System.CommandLine;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>`dggrn workers [--json]`.</summary>
public static class WorkersCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var json = CliOptions.Json();
        var cmd = new Command("workers", "Workers with host, process id, device, free slots, numerics self-check and current trials") { json };
        cmd.SetAction(async (p, ct) =>
        {
            using var api = new ApiClient(ApiEndpoint.Resolve());
            var body = await api.GetStringAsync("api/workers", ct);
            if (p.GetValue(json))
            {
                Console.Out.WriteLine(CliJson.Pretty(body));
                return 0;
            }
            var list = System.Text.Json.JsonSerializer.Deserialize<WorkerSummary[]>(body, CliJson.Options)!;
            if (list.Length == 0)
            {
                Console.Out.WriteLine("no workers registered");
                return 0;
            }
            var t = new TextTable("ID", "HOST", "PID", "DEVICE", "SLOTS", "FREE", "STATE", "HEARTBEAT", "NUMERICS", "TRIALS");
            foreach (var w in list)
                t.Add(w.Id, w.Host, w.Pid.ToString(), w.Device, w.Slots.ToString(), w.FreeSlots.ToString(), w.State,
                    Formats.Duration((DateTimeOffset.UtcNow - w.LastHeartbeat).TotalSeconds) + " ago", Numerics(w.Numerics),
                    w.Trials.Length == 0 ? "-" : string.Join(",", w.Trials));
            t.WriteTo(Console.Out);
            // A refused worker says why in one line under the table.
            foreach (var w in list.Where(w => w.Numerics is { Passed: false }))
                Console.Out.WriteLine($"{w.Id}: {w.Numerics!.Reason}");
            return 0;
        });
        return cmd;
    }

    /// <summary>"channels-last 9.5e-07" (the path and its error), "WRONG" or "-" when the worker reported no check.</summary>
    static string Numerics(NumericsInfo? n) => n is null ? "-"
        : n.Passed ? $"{n.Path} {n.MaxRelativeError.ToString("0.0e+0", System.Globalization.CultureInfo.InvariantCulture)}" : "WRONG";
}
