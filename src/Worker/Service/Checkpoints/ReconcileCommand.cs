using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;

namespace Dggrn.Worker.Service.Checkpoints;

/// <summary>`dggrn-worker reconcile [--experiment ID] [--delete]`: one reconcile pass, printed; exit 1 when something is off.</summary>
public static class ReconcileCommand
{
    /// <summary>Runs the command.</summary>
    public static async Task<int> RunAsync(string[] args, WorkerOptions options, CheckpointStoreOptions storeOptions)
    {
        var prefix = "experiments/";
        var delete = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--experiment" when i + 1 < args.Length && Guid.TryParse(args[i + 1], out var e):
                    prefix = $"experiments/{e}/";
                    i++;
                    break;
                case "--delete":
                    delete = true;
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains(':')) continue; // configuration override
                    Console.Error.WriteLine($"dggrn-worker reconcile: unexpected argument '{args[i]}': expected --experiment GUID and/or --delete");
                    return 2;
            }
        }
        using var client = new OrchestratorClient(options.OrchestratorUrl, options.Token);
        var store = CheckpointStores.Create(storeOptions, Console.Error.WriteLine);
        try
        {
            var r = await new Reconciler(store, client.CheckpointsAsync, Console.Out.WriteLine)
                .RunAsync(prefix, TimeSpan.FromSeconds(options.OrphanGraceSeconds), delete, DateTimeOffset.UtcNow, CancellationToken.None);
            Console.Out.WriteLine($"reconcile {store.Describe}/{prefix}: {r.ObjectsWithoutRecords.Count} object(s) without record ({r.Deleted.Count} deleted), {r.RecordsWithoutObjects.Count} record(s) without object");
            return r.ObjectsWithoutRecords.Count - r.Deleted.Count + r.RecordsWithoutObjects.Count == 0 ? 0 : 1;
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }
}
