namespace Dggrn.Worker.Cli;

/// <summary>`train`, `eval`, `data`, `bench`: run src/Model locally, without the orchestrator.</summary>
public static class ModelCli
{
    /// <summary>Runs one model command; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine($"dggrn {args[0]}: not built yet");
        return Task.FromResult(1);
    }
}
