using System.Globalization;
using Dggrn.Orchestrator.Specs;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Services.ReadModels;

namespace Dggrn.Dashboard.Services;

/// <summary>
/// What an empty chart or table says instead of drawing placeholder axes or a column of dashes: which values are
/// missing and when the first will come, judged from the state of the trials that feed it.
/// </summary>
/// <remarks>Pages recompute the text on every refresh, so it follows the trials (waiting, running, ended) live.</remarks>
public static class EmptyStates
{
    /// <summary>Name of a metric as a sentence starts with it, e.g. "test PSNR".</summary>
    public static string MetricName(string metric) => metric switch
    {
        "test/psnr" => "test PSNR",
        "test/ssim" => "test SSIM",
        "train/loss" => "training loss",
        "train/epoch_loss" => "training loss per epoch",
        "lr" => "learning rate",
        "epoch/seconds" => "seconds per epoch",
        _ when metric.StartsWith("test/psnr/axis", StringComparison.Ordinal) => $"test PSNR on axis {metric["test/psnr/axis".Length..]}",
        _ when metric.StartsWith("test/ssim/axis", StringComparison.Ordinal) => $"test SSIM on axis {metric["test/ssim/axis".Length..]}",
        _ => metric,
    };

    /// <summary>When a trial reports the first point of <paramref name="metric"/>, after "appears".</summary>
    public static string FirstPoint(string metric, TrainingSettings training) => metric switch
    {
        _ when metric.StartsWith("test/", StringComparison.Ordinal) => "after the first evaluation, at the end of epoch 1",
        "train/loss" => $"at step {training.LogEverySteps}, the first logged step",
        _ => "at the end of epoch 1",
    };

    /// <summary>The text of a chart of <paramref name="metric"/> over <paramref name="trials"/> while it has no point.</summary>
    public static string Chart(string metric, IReadOnlyCollection<TrialFacts> trials)
    {
        var name = MetricName(metric);
        if (trials.Count == 0) return $"No trials to draw {name} for.";
        var trained = trials.Where(t => !MethodParameters.Untrained.Contains(t.Method)).ToList();
        if (trained.Count == 0)
            return $"No {name} curve: {string.Join(", ", trials.Select(t => t.Method).Distinct())} " +
                   "are evaluated once, without training epochs; their results are in the tables.";
        var when = FirstPoint(metric, LabReader.ConfigOf(trained[0].ConfigJson)?.Training ?? new TrainingSettings());
        var sentence = char.ToUpperInvariant(name[0]) + name[1..];
        var running = trained.Count(t => t.State is TrialState.Running or TrialState.Leased);
        if (running > 0) return $"{sentence} appears {when} ({Count(running, "trial")} running).";
        var waiting = trained.Where(t => t.State == TrialState.Pending).ToList();
        if (waiting.Count > 0)
        {
            var paused = waiting.Count(t => t.Paused);
            var why = paused == waiting.Count ? $"{Count(paused, "trial")} paused; resume to start"
                : $"{Count(waiting.Count, "trial")} waiting for a worker";
            return $"{sentence} appears {when}, once a trial starts ({why}).";
        }
        return $"No trial reported {name}: {Describe(trained)}.";
    }

    /// <summary>The text of paper table <paramref name="table"/> while none of its cells is measured.</summary>
    public static string Table(int table, IReadOnlyCollection<TrialFacts> trials)
    {
        var tag = table.ToString(CultureInfo.InvariantCulture);
        var feeding = trials.Where(t => t.Tables.Contains(tag)).ToList();
        if (feeding.Count == 0)
            return $"Table {table} has no measured values: no trial of this grid feeds it (a grid block with tables: [\"{tag}\"] does).";
        if (feeding.Any(t => !t.State.IsTerminal()))
            return $"Table {table} fills in as its {Count(feeding.Count, "trial")} finish: the first measured values appear " +
                   $"when one succeeds ({Describe(feeding)}).";
        return $"Table {table} has no measured values: " +
               (feeding.Count == 1 ? "the one trial feeding it did not succeed" : $"none of the {feeding.Count} trials feeding it succeeded") +
               $" ({Describe(feeding)}).";
    }

    /// <summary>"2 running, 1 waiting, 1 failed".</summary>
    public static string Describe(IEnumerable<TrialFacts> trials) =>
        string.Join(", ", trials.GroupBy(Word).OrderBy(g => Array.IndexOf(Order, g.Key)).Select(g => $"{g.Count()} {g.Key}"));

    static readonly string[] Order = ["running", "starting", "waiting", "paused", "succeeded", "diverged", "failed", "cancelled"];

    static string Word(TrialFacts t) => t.State switch
    {
        TrialState.Running => "running",
        TrialState.Leased => "starting",
        TrialState.Pending => t.Paused ? "paused" : "waiting",
        TrialState.Succeeded => "succeeded",
        TrialState.Failed => t.Diverged ? "diverged" : "failed",
        _ => "cancelled",
    };

    static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
