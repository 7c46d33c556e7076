namespace Dggrn.Orchestrator.Cli;

/// <summary>Entry point of the `dggrn` command.</summary>
public static class CliApp
{
    /// <summary>Parses and runs one command; returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("dggrn: not built yet");
        return Task.FromResult(args.Length == 0 ? 2 : 1);
    }
}
