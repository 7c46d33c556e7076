using System.CommandLine;

namespace Dggrn.Orchestrator.Cli;

/// <summary>Options shared by several commands.</summary>
public static class CliOptions
{
    /// <summary>--verbose on every command: stack traces on errors.</summary>
    public static Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show stack traces and details on errors",
        Recursive = true,
    };

    /// <summary>A fresh --json option (each command owns its instance).</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of text" };

    /// <summary>An experiment id argument.</summary>
    public static Argument<string> ExperimentId(string description = "Experiment id (a full id or a unique prefix)") =>
        new("EXPERIMENT_ID") { Description = description };
}
