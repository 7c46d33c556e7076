using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Microsoft.Extensions.Configuration;

namespace Dggrn.Worker.Service;

/// <summary>Reads the worker's settings: appsettings.json (beside the executable, then the current folder), environment (Section__Key), command line (--Section:Key=value).</summary>
public static class WorkerConfiguration
{
    /// <summary>Builds the configuration.</summary>
    public static IConfiguration Load(string[] args) => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddJsonFile(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToArray())
        .Build();

    /// <summary>The "Worker" section.</summary>
    public static WorkerOptions Worker(IConfiguration c) => c.GetSection(nameof(WorkerOptions)[..^7]).Get<WorkerOptions>() ?? new();

    /// <summary>The "CheckpointStore" section.</summary>
    public static CheckpointStoreOptions Store(IConfiguration c) => c.GetSection(nameof(CheckpointStoreOptions)[..^7]).Get<CheckpointStoreOptions>() ?? new();

    /// <summary>Environment variables that hand the resolved settings to a trial child, so it sees exactly what the worker saw.</summary>
    public static Dictionary<string, string> ChildEnvironment(WorkerOptions w, CheckpointStoreOptions s)
    {
        var env = new Dictionary<string, string>();
        Add(env, "Worker", w);
        Add(env, "CheckpointStore", s);
        return env;
    }

    static void Add(Dictionary<string, string> env, string section, object options)
    {
        foreach (var p in options.GetType().GetProperties())
            if (p.GetValue(options) is { } v)
                env[$"{section}__{p.Name}"] = Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
