namespace Dggrn.Worker;

/// <summary>Dispatches the worker executable's modes.</summary>
public static class WorkerApp
{
    /// <summary>Runs one mode; returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine($"dggrn-worker: {Dggrn.Model.TorchProbe.DefaultDevice()} (not built yet)");
        return Task.FromResult(args.Length == 0 ? 2 : 1);
    }
}
