using System.CommandLine;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>`dggrn cancel|pause|resume ID [--trial]`.</summary>
public static class ControlCommands
{
    /// <summary>Builds the three commands.</summary>
    public static IEnumerable<Command> Create() =>
    [
        Make("cancel", "cancelled", "Cancel an experiment (or one trial with --trial); running trials stop at their next step"),
        Make("pause", "paused", "Pause an experiment (or one trial): nothing new starts, running trials checkpoint and stop"),
        Make("resume", "resumed", "Resume a paused experiment (or one trial)"),
    ];

    static Command Make(string verb, string past, string description)
    {
        var id = new Argument<string>("ID") { Description = "Experiment id (or prefix); a trial id with --trial" };
        var trial = new Option<bool>("--trial") { Description = "ID is a trial id" };
        var cmd = new Command(verb, description) { id, trial };
        cmd.SetAction(async (p, ct) =>
        {
            using var api = new ApiClient(ApiEndpoint.Resolve());
            var text = p.GetValue(id)!;
            if (p.GetValue(trial))
            {
                if (!Guid.TryParse(text, out var tid)) throw new CliException($"'{text}' is not a trial id (expected a full GUID)");
                try
                {
                    await api.PostAsync($"api/trials/{tid}/{verb}", null, ct);
                }
                catch (CliException e) when (e.Message.Contains("(404)", StringComparison.Ordinal))
                {
                    throw new CliException($"trial {tid} not found", 1, e);
                }
                Console.Out.WriteLine($"{past} trial {tid}");
            }
            else
            {
                var eid = await ExperimentIds.ResolveAsync(api, text, ct);
                await ExperimentIds.NotFoundAsExperimentAsync(eid, async () =>
                {
                    await api.PostAsync($"api/experiments/{eid}/{verb}", null, ct);
                    return 0;
                });
                Console.Out.WriteLine($"{past} experiment {eid}");
            }
            return 0;
        });
        return cmd;
    }
}
