using System.CommandLine;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>`dggrn submit (SPEC_FILE | --preset smoke|paper) [--wait] [--json] [--rerun] [--priority P]`.</summary>
public static class SubmitCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var spec = new Argument<FileInfo?>("SPEC_FILE") { Description = "Grid spec (YAML or JSON)", Arity = ArgumentArity.ZeroOrOne };
        var preset = new Option<string?>("--preset") { Description = "Submit a built-in grid instead of a file" };
        preset.AcceptOnlyFromAmong("smoke", "paper");
        var wait = new Option<bool>("--wait") { Description = "Show progress until the experiment ends; exit 0 only if every trial succeeded" };
        var json = CliOptions.Json();
        var rerun = new Option<bool>("--rerun") { Description = "Run trials again even when an identical trial already succeeded" };
        var priority = new Option<int?>("--priority") { Description = "Scheduling priority (higher runs first)" };
        var cmd = new Command("submit", "Submit a grid; prints the experiment id") { spec, preset, wait, json, rerun, priority };
        cmd.SetAction(async (p, ct) =>
        {
            var file = p.GetValue(spec);
            var presetName = p.GetValue(preset);
            if ((file is null) == (presetName is null))
                throw new CliException("give either a SPEC_FILE or --preset smoke|paper (exactly one)", 2);
            string? text = null;
            if (file is not null)
            {
                if (!file.Exists) throw new CliException($"spec file {file.FullName} does not exist");
                text = await File.ReadAllTextAsync(file.FullName, ct);
            }
            using var api = new ApiClient(ApiEndpoint.Resolve());
            SubmitResponse submitted;
            try
            {
                submitted = await api.PostAsync<SubmitResponse>("api/experiments",
                    new SubmitRequest(text, presetName, p.GetValue(rerun), p.GetValue(priority)), ct);
            }
            catch (CliException e) when (file is not null)
            {
                throw new CliException($"{file.Name}: {e.Message}", e.ExitCode, e);
            }
            Console.Out.WriteLine(p.GetValue(json) ? CliJson.Write(submitted) : submitted.Id.ToString());
            Console.Out.Flush();
            if (!p.GetValue(wait)) return 0;
            Console.Error.WriteLine($"dggrn: experiment {submitted.Name} ({submitted.Id}): {submitted.Trials} trial(s), {submitted.Reused} reused");
            return await WaitForExperiment.RunAsync(api, submitted.Id, ct);
        });
        return cmd;
    }
}
