namespace Dggrn.Worker;

/// <summary>Dispatches the worker executable's modes.</summary>
public static class WorkerApp
{
    /// <summary>Local model commands; `./dggrn train|eval|data|numerics` forward here.</summary>
    static readonly string[] ModelCommands = ["train", "eval", "data", "numerics"];

    /// <summary>Runs one mode; returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args) =>
        args.Length > 0 && ModelCommands.Contains(args[0])
            ? Cli.ModelCli.RunAsync(args)
            : Service.WorkerHost.RunAsync(args);
}
