using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Infrastructure;

/// <summary>
/// Which trial's rows hold a trial's recorded data: its own, or for a trial reused from an identical earlier one
/// (<see cref="TrialEntity.ReusedFromTrialId"/>) the original's. The one place a reused id is resolved.
/// </summary>
/// <remarks>
/// A reused trial never runs, so its metrics, evaluations, example images, checkpoints, log lines, environment and
/// timings stay with the original and are referenced, not copied (docs/decisions.md, "Reused trials reference the
/// original's data"). Every read of such data goes through here, so a reused trial shows the same curves, images and
/// files as its original in every view. Chains are followed (at most <see cref="MaxHops"/> links), although the
/// orchestrator reuses only originals.
/// </remarks>
public sealed class TrialSources
{
    /// <summary>Longest chain of reuse links followed; a longer one (or a cycle) resolves to where the walk stopped.</summary>
    public const int MaxHops = 8;

    readonly Dictionary<Guid, Guid> _source;
    readonly Dictionary<Guid, TrialEntity> _originals;

    TrialSources(Dictionary<Guid, Guid> source, Dictionary<Guid, TrialEntity> originals) => (_source, _originals) = (source, originals);

    /// <summary>The trial whose rows hold <paramref name="trial"/>'s data (itself unless it was reused).</summary>
    public Guid this[Guid trial] => _source.GetValueOrDefault(trial, trial);

    /// <summary>The distinct trials whose rows hold the data of the resolved trials.</summary>
    public IReadOnlyCollection<Guid> Sources => [.. _source.Values.Distinct()];

    /// <summary>The resolved trials whose data <paramref name="source"/> holds (several when one original is shown twice).</summary>
    public IEnumerable<Guid> ViewsOf(Guid source) => _source.Where(kv => kv.Value == source).Select(kv => kv.Key);

    /// <summary>The original trial (with its experiment) when <paramref name="trial"/> was reused, else null.</summary>
    public TrialEntity? OriginalOf(Guid trial) => _source.TryGetValue(trial, out var s) && s != trial ? _originals.GetValueOrDefault(s) : null;

    /// <summary>Whether any resolved trial was reused.</summary>
    public bool AnyReused => _source.Any(kv => kv.Key != kv.Value);

    /// <summary>
    /// Shows a reused trial's untracked entity with its original's recorded results and timings (epoch, step, best PSNR,
    /// result, parameters, seconds, start and finish, environment); its identity, state and experiment stay its own.
    /// Returns <paramref name="trial"/>, changed in memory only (read models never save).
    /// </summary>
    public TrialEntity WithOriginalData(TrialEntity trial)
    {
        if (OriginalOf(trial.Id) is not { } o) return trial;
        trial.Epoch = o.Epoch;
        trial.Step = o.Step;
        trial.ResumedFromEpoch = o.ResumedFromEpoch;
        trial.BestPsnr = o.BestPsnr;
        trial.ResultJson = o.ResultJson;
        trial.Parameters = o.Parameters;
        trial.Seconds = o.Seconds;
        trial.StartedAt = o.StartedAt;
        trial.FinishedAt = o.FinishedAt;
        trial.EnvironmentJson = o.EnvironmentJson;
        return trial;
    }

    /// <summary>Resolves <paramref name="trials"/>; unknown ids resolve to themselves. One query, plus one per link of a
    /// chain and one for the originals' rows when any trial was reused.</summary>
    public static async Task<TrialSources> ResolveAsync(LabDbContext db, IEnumerable<Guid> trials, CancellationToken ct = default)
    {
        var source = trials.Distinct().ToDictionary(id => id, id => id);
        var ask = source.Keys.ToArray();
        for (var hop = 0; hop < MaxHops && ask.Length > 0; hop++)
        {
            var links = await db.Trials.AsNoTracking().Where(t => ask.Contains(t.Id) && t.ReusedFromTrialId != null)
                .Select(t => new { t.Id, From = t.ReusedFromTrialId!.Value }).ToDictionaryAsync(t => t.Id, t => t.From, ct);
            if (links.Count == 0) break;
            foreach (var (view, s) in source.ToList())
                if (links.TryGetValue(s, out var from) && from != view) source[view] = from;
            ask = [.. links.Values.Distinct()];
        }
        var originalIds = source.Where(kv => kv.Key != kv.Value).Select(kv => kv.Value).Distinct().ToArray();
        var originals = originalIds.Length == 0 ? [] : await db.Trials.AsNoTracking().Include(t => t.Experiment)
            .Where(t => originalIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        return new TrialSources(source, originals);
    }

    /// <summary>Resolves one trial: the id whose rows hold its data.</summary>
    public static async Task<Guid> SourceOfAsync(LabDbContext db, Guid trial, CancellationToken ct = default) =>
        (await ResolveAsync(db, [trial], ct))[trial];
}
