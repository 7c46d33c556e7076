using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;

namespace Dggrn.Worker.Service.Checkpoints;

/// <summary>Compares the checkpoint store with the orchestrator's checkpoint records.</summary>
/// <remarks>
/// Objects without a record appear when a process died between upload and record, or when a retention
/// delete removed the record but not the object; records without an object mean lost data and are only
/// reported. Orphan objects are deleted once older than the grace period, so an upload in flight (written,
/// not yet recorded) is never taken.
/// </remarks>
public sealed class Reconciler(ICheckpointStore store, Func<Guid, CancellationToken, Task<CheckpointInfo[]>> recordsOf, Action<string> log)
{
    /// <summary>What one pass found and did.</summary>
    public sealed record Report(IReadOnlyList<string> ObjectsWithoutRecords, IReadOnlyList<string> RecordsWithoutObjects, IReadOnlyList<string> Deleted);

    /// <summary>Reconciles every trial under <paramref name="prefix"/> ("experiments/" or one experiment's prefix).</summary>
    public async Task<Report> RunAsync(string prefix, TimeSpan grace, bool delete, DateTimeOffset now, CancellationToken ct)
    {
        var objects = new Dictionary<string, BlobInfo>(StringComparer.Ordinal);
        await foreach (var b in store.ListAsync(prefix, ct)) objects[b.Key] = b;
        var byTrial = objects.Keys.Select(k => (Key: k, Trial: TrialOf(k))).Where(x => x.Trial is not null).GroupBy(x => x.Trial!.Value);
        List<string> orphans = [], missing = [], deleted = [];
        foreach (var g in byTrial)
        {
            var records = await recordsOf(g.Key, ct);
            var recorded = records.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
            missing.AddRange(records.Where(r => !objects.ContainsKey(r.Key)).Select(r => r.Key));
            foreach (var (key, _) in g)
            {
                if (!key.EndsWith(".ckpt", StringComparison.Ordinal) || recorded.Contains(key)) continue;
                orphans.Add(key);
                if (delete && now - objects[key].LastModified >= grace)
                {
                    await store.DeleteAsync(key, ct);
                    await store.DeleteAsync(StoreKeys.Manifest(key), ct);
                    deleted.Add(key);
                }
            }
        }
        // Records of trials that have no object at all are found through the trials that do; a trial whose
        // objects all vanished is caught by asking for the trials the caller names (see ReconcileCommand).
        foreach (var k in orphans) log($"reconcile: object without record: {k}{(deleted.Contains(k) ? " (deleted)" : "")}");
        foreach (var k in missing) log($"reconcile: record without object: {k}");
        return new Report(orphans, missing, deleted);
    }

    /// <summary>Also checks trials that may have no objects left: their records are all "without object".</summary>
    public async Task<IReadOnlyList<string>> MissingForTrialsAsync(IEnumerable<(Guid Experiment, Guid Trial)> trials, CancellationToken ct)
    {
        var missing = new List<string>();
        foreach (var (exp, trial) in trials)
            foreach (var r in await recordsOf(trial, ct))
                if (await store.StatAsync(r.Key, ct) is null) missing.Add(r.Key);
        return missing;
    }

    /// <summary>The trial id in a key laid out by <see cref="StoreKeys"/>; null for other keys.</summary>
    internal static Guid? TrialOf(string key)
    {
        var parts = key.Split('/');
        return parts.Length >= 4 && parts[0] == "experiments" && parts[2] == "trials" && Guid.TryParse(parts[3], out var t) ? t : null;
    }
}
