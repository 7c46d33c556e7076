using Dggrn.Orchestrator.Queries;
using Dggrn.Contracts.Api;
using System.Text.Json;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Dashboard.Services;

/// <summary>One row of the experiments list.</summary>
public sealed record ExperimentRow(Guid Id, string Name, string Owner, ExperimentState State, IReadOnlyDictionary<TrialState, int> ByState,
    int Total, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, double? EtaSeconds);

/// <summary>An experiment with its trials as the pages show them (reused trials with their originals' results) and where
/// each trial's data lives.</summary>
public sealed record ExperimentView(ExperimentEntity Experiment, TrialSources Sources);

/// <summary>A trial as its page shows it, and the original it was reused from (null unless reused).</summary>
public sealed record TrialView(TrialEntity Trial, TrialEntity? Original);

/// <summary>Read-only queries over the lab database (the orchestrator owns every write).</summary>
/// <remarks>Every per-trial read resolves a reused trial to its original's rows through <see cref="TrialSources"/>.</remarks>
public sealed class LabReader(IDbContextFactory<LabDbContext> dbs, TimeProvider clock)
{
    static readonly JsonSerializerOptions Json = WireJson.Options;

    /// <summary>Every experiment with trial counts by state and an ETA, newest first.</summary>
    public async Task<IReadOnlyList<ExperimentRow>> ListExperimentsAsync(CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var experiments = await db.Experiments.AsNoTracking().OrderByDescending(e => e.CreatedAt).ToListAsync(ct);
        var byExperiment = await TrialTiming.ByExperimentAsync(db.Trials.AsNoTracking(), ct);
        var now = clock.GetUtcNow();
        return experiments.Select(e =>
        {
            var timings = byExperiment[e.Id].ToList();
            return new ExperimentRow(e.Id, e.Name, e.Owner, e.State,
                timings.GroupBy(t => t.State).ToDictionary(g => g.Key, g => g.Count()), timings.Count,
                e.CreatedAt, e.StartedAt, e.FinishedAt, ExperimentEta.SecondsLeft(timings, now));
        }).ToList();
    }

    /// <summary>An experiment with its trials, or null. A page that refreshes passes the <paramref name="sources"/> it got
    /// first: an experiment's trials and their originals (succeeded, so unchanging) stay the same.</summary>
    public async Task<ExperimentView?> GetExperimentAsync(Guid id, TrialSources? sources = null, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var e = await db.Experiments.AsNoTracking().Include(e => e.Trials).SingleOrDefaultAsync(e => e.Id == id, ct);
        if (e is null) return null;
        sources ??= await TrialSources.ResolveAsync(db, e.Trials.Select(t => t.Id), ct);
        foreach (var t in e.Trials) sources.WithOriginalData(t);
        return new ExperimentView(e, sources);
    }

    /// <summary>A trial with its experiment (and its original's results when it was reused), or null.</summary>
    public async Task<TrialView?> GetTrialAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var t = await db.Trials.AsNoTracking().Include(t => t.Experiment).SingleOrDefaultAsync(t => t.Id == id, ct);
        if (t is null) return null;
        var sources = await TrialSources.ResolveAsync(db, [id], ct);
        return new TrialView(sources.WithOriginalData(t), sources.OriginalOf(id));
    }

    /// <summary>State history of a trial, oldest first; a reused trial's begins with its original's (how the result was made).</summary>
    public async Task<IReadOnlyList<TrialTransitionEntity>> TransitionsAsync(Guid trialId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var source = await TrialSources.SourceOfAsync(db, trialId, ct);
        return await db.TrialTransitions.AsNoTracking().Where(t => t.TrialId == trialId || t.TrialId == source)
            .OrderBy(t => t.At).ThenBy(t => t.Id).ToListAsync(ct);
    }

    /// <summary>Live checkpoints of a trial (a reused trial's are its original's), newest first. Retired ones are left out:
    /// retention has handed their objects to the worker for deletion, so a download would find nothing.</summary>
    public async Task<IReadOnlyList<CheckpointEntity>> CheckpointsAsync(Guid trialId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var source = await TrialSources.SourceOfAsync(db, trialId, ct);
        return await db.Checkpoints.AsNoTracking().Where(c => c.TrialId == source && c.RetiredAt == null)
            .OrderByDescending(c => c.Epoch).ThenByDescending(c => c.Step).ToListAsync(ct);
    }

    /// <summary>Example images and feature maps of a trial (a reused trial's are its original's).</summary>
    public async Task<IReadOnlyList<ArtifactEntity>> ArtifactsAsync(Guid trialId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var source = await TrialSources.SourceOfAsync(db, trialId, ct);
        return await db.Artifacts.AsNoTracking().Where(a => a.TrialId == source).OrderBy(a => a.Epoch).ThenBy(a => a.Axis).ThenBy(a => a.Slice)
            .ToListAsync(ct);
    }

    /// <summary>The last <paramref name="lines"/> log lines of a trial (a reused trial's are its original's), oldest first.</summary>
    public async Task<IReadOnlyList<TrialLogEntity>> LogTailAsync(Guid trialId, int lines, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var source = await TrialSources.SourceOfAsync(db, trialId, ct);
        var tail = await db.TrialLogs.AsNoTracking().Where(l => l.TrialId == source).OrderByDescending(l => l.Id).Take(lines).ToListAsync(ct);
        tail.Reverse();
        return tail;
    }

    /// <summary>Every worker with the trials it holds now and its recent failures.</summary>
    public async Task<IReadOnlyList<(WorkerEntity Worker, IReadOnlyList<TrialEntity> Current, IReadOnlyList<TrialTransitionEntity> Failures)>>
        WorkersAsync(CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var workers = await db.Workers.AsNoTracking().OrderBy(w => w.Id).ToListAsync(ct);
        var current = await db.Trials.AsNoTracking()
            .Where(t => t.WorkerId != null && (t.State == TrialState.Leased || t.State == TrialState.Running)).ToListAsync(ct);
        var since = clock.GetUtcNow().AddDays(-1);
        var failures = await db.TrialTransitions.AsNoTracking()
            .Where(t => t.WorkerId != null && t.At >= since && (t.ToState == TrialState.Failed || (t.FromState == TrialState.Running && t.ToState == TrialState.Pending)))
            .OrderByDescending(t => t.At).Take(500).ToListAsync(ct);
        return workers.Select(w => (w, (IReadOnlyList<TrialEntity>)current.Where(t => t.WorkerId == w.Id).ToList(),
            (IReadOnlyList<TrialTransitionEntity>)failures.Where(f => f.WorkerId == w.Id).Take(5).ToList())).ToList();
    }

    /// <summary>Trials matching a free-text filter over key, method and dataset (for Compare), newest first.</summary>
    public async Task<IReadOnlyList<TrialEntity>> SearchTrialsAsync(string? text, int max, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.Trials.AsNoTracking().Include(t => t.Experiment).AsQueryable();
        if (!string.IsNullOrWhiteSpace(text))
        {
            var like = $"%{text.Trim()}%";
            q = q.Where(t => EF.Functions.ILike(t.Key, like) || EF.Functions.ILike(t.Method, like) || EF.Functions.ILike(t.Dataset, like)
                             || EF.Functions.ILike(t.Experiment!.Name, like));
        }
        return await WithOriginalDataAsync(db, await q.OrderByDescending(t => t.CreatedAt).Take(max).ToListAsync(ct), ct);
    }

    /// <summary>Trials by id, with their experiments.</summary>
    public async Task<IReadOnlyList<TrialEntity>> TrialsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await WithOriginalDataAsync(db, await db.Trials.AsNoTracking().Include(t => t.Experiment).Where(t => ids.Contains(t.Id)).ToListAsync(ct), ct);
    }

    /// <summary>Distinct metric names the given trials have reported.</summary>
    public async Task<IReadOnlyList<string>> MetricNamesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var sources = (await TrialSources.ResolveAsync(db, ids, ct)).Sources.ToArray();
        return await db.Metrics.AsNoTracking().Where(m => sources.Contains(m.TrialId)).Select(m => m.Name).Distinct().OrderBy(n => n).ToListAsync(ct);
    }

    /// <summary>The value at the highest step of metric <paramref name="name"/> per trial (trials without it are absent).</summary>
    public async Task<IReadOnlyDictionary<Guid, double>> LastValuesAsync(IReadOnlyCollection<Guid> ids, string name, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var sources = await TrialSources.ResolveAsync(db, ids, ct);
        var sourceIds = sources.Sources.ToArray();
        var rows = await db.Metrics.AsNoTracking().Where(m => sourceIds.Contains(m.TrialId) && m.Name == name)
            .GroupBy(m => m.TrialId)
            .Select(g => g.OrderByDescending(m => m.Step).Select(m => new { m.TrialId, m.Value }).First())
            .ToDictionaryAsync(r => r.TrialId, r => r.Value, ct);
        return ids.Distinct().Where(id => rows.ContainsKey(sources[id])).ToDictionary(id => id, id => rows[sources[id]]);
    }

    static async Task<List<TrialEntity>> WithOriginalDataAsync(LabDbContext db, List<TrialEntity> trials, CancellationToken ct)
    {
        var sources = await TrialSources.ResolveAsync(db, trials.Select(t => t.Id), ct);
        foreach (var t in trials) sources.WithOriginalData(t);
        return trials;
    }

    /// <summary>The read model of a trial for seed groups and compare (the views that need no entity).</summary>
    public static TrialFacts Facts(TrialEntity t) =>
        new(t.Id, t.Key, t.Method, t.Dataset, t.Blocks, t.Filters, t.Scale, t.Seed, t.ConfigJson, t.State, t.Diverged, t.Epoch,
            t.Seconds, t.Parameters, TrialFacts.ResultOf(t.ResultJson), t.EnvironmentJson);

    /// <summary>Parses a stored trial config; null when it is not a valid <see cref="TrialConfig"/>.</summary>
    public static TrialConfig? ConfigOf(string configJson)
    {
        try { return JsonSerializer.Deserialize<TrialConfig>(configJson, Json); }
        catch (JsonException) { return null; }
    }
}
