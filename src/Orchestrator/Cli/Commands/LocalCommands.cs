using System.CommandLine;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Local;
using Microsoft.Extensions.Configuration;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>`dggrn up [--workers N]` and `dggrn demo`: local mode (see <see cref="LocalLauncher"/>).</summary>
public static class LocalCommands
{
    static readonly string[] Terminal = ["Succeeded", "Failed", "Cancelled"];

    /// <summary>Builds `up` and `demo`.</summary>
    public static IEnumerable<Command> Create() =>
    [
        Make("up", "Run the platform locally (PostgreSQL, orchestrator, workers, dashboard) until Ctrl+C", demo: false),
        Make("demo", "Local mode plus the smoke grid (resumed when an unfinished one exists)", demo: true),
    ];

    static Command Make(string name, string description, bool demo)
    {
        var workers = new Option<int?>("--workers") { Description = "Worker processes to start (default 1, or Local:Workers)" };
        workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 64) r.AddError("--workers must be between 1 and 64");
        });
        var cmd = new Command(name, description) { workers };
        cmd.SetAction(async (p, _) =>
        {
            var configuration = new ConfigurationBuilder()
                .SetBasePath(AppContext.BaseDirectory)
                .AddJsonFile("appsettings.json", optional: true)
                .AddEnvironmentVariables()
                .Build();
            var options = configuration.GetSection("Local").Get<LocalOptions>() ?? new LocalOptions();
            if (p.GetValue(workers) is { } n) options.Workers = n;
            using var signal = new ShutdownSignal();
            var launcher = new LocalLauncher(configuration, options, StateDirectory.Resolve(), Console.Out, Console.Error);
            return await launcher.RunAsync(demo ? SubmitSmokeAsync : null, signal.Token);
        });
        return cmd;
    }

    /// <summary>Submits the smoke preset unless an unfinished smoke experiment exists (its trials then resume).</summary>
    static async Task SubmitSmokeAsync(ApiClient api, CancellationToken ct)
    {
        var open = (await api.GetAsync<ExperimentSummary[]>("api/experiments", ct))
            .Where(e => e.Name.StartsWith("smoke", StringComparison.OrdinalIgnoreCase) && !Terminal.Contains(e.State))
            .OrderByDescending(e => e.CreatedAt).FirstOrDefault();
        if (open is not null)
        {
            Console.Error.WriteLine($"dggrn: resuming smoke experiment {open.Id} ({open.TrialsByState.GetValueOrDefault("Succeeded")}/{open.Total} trials done)");
            Console.Out.WriteLine($"Experiment: {open.Id}");
            return;
        }
        var r = await api.PostAsync<SubmitResponse>("api/experiments", new SubmitRequest(null, "smoke"), ct);
        Console.Error.WriteLine($"dggrn: submitted smoke experiment {r.Id}: {r.Trials} trial(s), {r.Reused} reused; follow it with `./dggrn status {r.Id}`");
        Console.Out.WriteLine($"Experiment: {r.Id}");
    }
}
