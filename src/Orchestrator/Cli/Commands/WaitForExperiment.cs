using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>Polls an experiment until it ends, drawing a progress bar (trials done / total, ETA) on stderr.</summary>
public static class WaitForExperiment
{
    static readonly string[] Terminal = ["Succeeded", "Failed", "Cancelled", TrialStates.Diverged];

    /// <summary>Waits; returns 0 only when every trial succeeded.</summary>
    public static async Task<int> RunAsync(ApiClient api, Guid id, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var interactive = !Console.IsErrorRedirected;
        var lastLine = "";
        while (true)
        {
            var d = await ExperimentIds.NotFoundAsExperimentAsync(id, () => api.GetAsync<ExperimentDetail>($"api/experiments/{id}", ct));
            var total = d.Trials.Length;
            var done = d.Trials.Count(t => Terminal.Contains(t.State));
            var line = Bar(d, done, total, started);
            if (interactive) Console.Error.Write("\r" + line.PadRight(Math.Max(lastLine.Length, line.Length)));
            else if (Progress(line) != Progress(lastLine)) Console.Error.WriteLine(line);
            lastLine = line;
            var ended = Terminal.Contains(d.State) || (total > 0 && done == total);
            if (ended)
            {
                if (interactive) Console.Error.WriteLine();
                var ok = d.Trials.Count(t => t.State == "Succeeded");
                if (total > 0 && ok == total)
                {
                    Console.Error.WriteLine($"dggrn: experiment {id} succeeded: {ok}/{total} trials");
                    return 0;
                }
                var byState = string.Join(", ", d.Trials.GroupBy(t => t.State).Select(g => $"{g.Count()} {g.Key}"));
                var error = d.Trials.FirstOrDefault(t => t.Error is { Length: > 0 })?.Error;
                throw new CliException($"experiment {id} ended {d.State}: {ok}/{total} trials succeeded ({byState})" +
                                       (error is null ? "" : $"; first error: {error.ReplaceLineEndings(" ")}"));
            }
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    // Non-interactive output prints a line only when the counts change, not on every ETA tick.
    static string Progress(string line) => line.Split("ETA")[0];

    static string Bar(ExperimentDetail d, int done, int total, DateTimeOffset started)
    {
        const int width = 30;
        var filled = total == 0 ? 0 : (int)Math.Round(width * (double)done / total);
        var running = d.Trials.Count(t => t.State is "Running" or "Leased");
        var failed = d.Trials.Count(t => t.State is "Failed" or TrialStates.Diverged);
        var elapsed = (DateTimeOffset.UtcNow - started).TotalSeconds;
        var eta = d.EtaSeconds ?? (done > 0 && done < total ? elapsed / done * (total - done) : null);
        return $"[{new string('#', filled)}{new string('-', width - filled)}] {done}/{total} trials done, {running} running" +
               (failed > 0 ? $", {failed} failed" : "") + $"  ETA {Formats.Duration(done == total ? 0 : eta)}";
    }
}
