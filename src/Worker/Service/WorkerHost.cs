namespace Dggrn.Worker.Service;

/// <summary>The long-running worker service (and the per-trial child process mode).</summary>
public static class WorkerHost
{
    /// <summary>Runs the worker; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine($"dggrn-worker: {Dggrn.Model.TorchProbe.DefaultDevice()} (not built yet)");
        return Task.FromResult(1);
    }
}
