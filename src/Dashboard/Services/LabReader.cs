using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Services.ReadModels;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Orchestrator.Queries;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Dashboard.Services;

/// <summary>Read-only queries over the lab database (the orchestrator owns every write), answered as read models
/// (Services/ReadModels): the one place in the dashboard that reads entities.</summary>
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

    /// <summary>An experiment with its trials, or null. A page that refreshes passes the view it got first as
    /// <paramref name="previous"/>: an experiment's trials and their originals (succeeded, so unchanging) stay the same, so
    /// where their data lives is not resolved again.</summary>
    public async Task<ExperimentView?> GetExperimentAsync(Guid id, ExperimentView? previous = null, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var e = await db.Experiments.AsNoTracking().Include(e => e.Trials).SingleOrDefaultAsync(e => e.Id == id, ct);
        if (e is null) return null;
        var sources = previous?.Id == id ? previous.Sources : null;
        sources ??= await TrialSources.ResolveAsync(db, e.Trials.Select(t => t.Id), ct);
        return new ExperimentView(e.Id, e.Name, e.Owner, e.State, e.CreatedAt, [.. e.Trials.Select(t => Facts(t, sources))]) { Sources = sources };
    }

    /// <summary>A trial with its experiment's name (and its original's results when it was reused), or null.</summary>
    public async Task<TrialFacts?> GetTrialAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var t = await db.Trials.AsNoTracking().Include(t => t.Experiment).SingleOrDefaultAsync(t => t.Id == id, ct);
        if (t is null) return null;
        return Facts(t, await TrialSources.ResolveAsync(db, [id], ct));
    }

    /// <summary>State history of a trial, oldest first; a reused trial's begins with its original's (how the result was made).</summary>
    public async Task<IReadOnlyList<TransitionRow>> TransitionsAsync(Guid trialId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var source = await TrialSources.SourceOfAsync(db, trialId, ct);
        var rows = await db.TrialTransitions.AsNoTracking().Where(t => t.TrialId == trialId || t.TrialId == source)
            .OrderBy(t => t.At).ThenBy(t => t.Id).ToListAsync(ct);
        return [.. rows.Select(Row)];
    }

    /// <summary>Live checkpoints of a trial (a reused trial's are its original's), newest first. Retired ones are left out:
    /// retention has handed their objects to the worker for deletion, so a download would find nothing.</summary>
    public async Task<IReadOnlyList<CheckpointRow>> CheckpointsAsync(Guid trialId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var source = await TrialSources.SourceOfAsync(db, trialId, ct);
        return await db.Checkpoints.AsNoTracking().Where(c => c.TrialId == source && c.RetiredAt == null)
            .OrderByDescending(c => c.Epoch).ThenByDescending(c => c.Step)
            .Select(c => new CheckpointRow(c.Id, c.Epoch, c.Attempt, c.Step, c.TestPsnr, c.SizeBytes, c.Sha256)).ToListAsync(ct);
    }

    /// <summary>Example images and feature maps of a trial (a reused trial's are its original's).</summary>
    public async Task<IReadOnlyList<ArtifactRow>> ArtifactsAsync(Guid trialId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var source = await TrialSources.SourceOfAsync(db, trialId, ct);
        return await db.Artifacts.AsNoTracking().Where(a => a.TrialId == source).OrderBy(a => a.Epoch).ThenBy(a => a.Axis).ThenBy(a => a.Slice)
            .Select(a => new ArtifactRow(a.Id, a.Epoch, a.Kind, a.Axis, a.Slice)).ToListAsync(ct);
    }

    /// <summary>The last <paramref name="lines"/> log lines of a trial (a reused trial's are its original's), oldest first.</summary>
    public async Task<IReadOnlyList<LogLine>> LogTailAsync(Guid trialId, int lines, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var source = await TrialSources.SourceOfAsync(db, trialId, ct);
        var tail = await db.TrialLogs.AsNoTracking().Where(l => l.TrialId == source).OrderByDescending(l => l.Id).Take(lines)
            .Select(l => new LogLine(l.At, l.Attempt, l.Line)).ToListAsync(ct);
        tail.Reverse();
        return tail;
    }

    /// <summary>Every worker with the trials it holds now and its recent failures.</summary>
    public async Task<IReadOnlyList<WorkerRow>> WorkersAsync(CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var workers = await db.Workers.AsNoTracking().OrderBy(w => w.Id).ToListAsync(ct);
        var current = await db.Trials.AsNoTracking()
            .Where(t => t.WorkerId != null && (t.State == TrialState.Leased || t.State == TrialState.Running)).ToListAsync(ct);
        var since = clock.GetUtcNow().AddDays(-1);
        var failures = await db.TrialTransitions.AsNoTracking()
            .Where(t => t.WorkerId != null && t.At >= since && (t.ToState == TrialState.Failed || (t.FromState == TrialState.Running && t.ToState == TrialState.Pending)))
            .OrderByDescending(t => t.At).Take(500).ToListAsync(ct);
        return workers.Select(w => new WorkerRow(w.Id, w.Host, w.Pid, w.Device, DevicesOf(w.DevicesJson), w.Slots, w.FreeSlots, w.State,
            w.NumericsPassed, w.NumericsJson is { } j ? JsonSerializer.Deserialize<NumericsInfo>(j, Json) : null, w.LastHeartbeatAt,
            [.. current.Where(t => t.WorkerId == w.Id).Select(t => new HeldTrial(t.Id, t.Key, t.Epoch))],
            [.. failures.Where(f => f.WorkerId == w.Id).Take(5).Select(Row)])).ToList();
    }

    /// <summary>Trials matching a free-text filter over key, method and dataset (for Compare), newest first.</summary>
    public async Task<IReadOnlyList<TrialFacts>> SearchTrialsAsync(string? text, int max, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.Trials.AsNoTracking().Include(t => t.Experiment).AsQueryable();
        if (!string.IsNullOrWhiteSpace(text))
        {
            var like = $"%{text.Trim()}%";
            q = q.Where(t => EF.Functions.ILike(t.Key, like) || EF.Functions.ILike(t.Method, like) || EF.Functions.ILike(t.Dataset, like)
                             || EF.Functions.ILike(t.Experiment!.Name, like));
        }
        return await FactsAsync(db, await q.OrderByDescending(t => t.CreatedAt).Take(max).ToListAsync(ct), ct);
    }

    /// <summary>Trials by id, with their experiments' names.</summary>
    public async Task<IReadOnlyList<TrialFacts>> TrialsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await FactsAsync(db, await db.Trials.AsNoTracking().Include(t => t.Experiment).Where(t => ids.Contains(t.Id)).ToListAsync(ct), ct);
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

    /// <summary>The checkpoint store key of an example image, or null when no such row.</summary>
    public async Task<string?> ArtifactKeyAsync(long id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Artifacts.Where(a => a.Id == id).Select(a => a.Key).SingleOrDefaultAsync(ct);
    }

    /// <summary>A checkpoint's store key and what its download is named after, or null when no such row.</summary>
    public async Task<CheckpointFile?> CheckpointFileAsync(long id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Checkpoints.Where(c => c.Id == id)
            .Select(c => new CheckpointFile(c.Key, db.Trials.Where(t => t.Id == c.TrialId).Select(t => t.Key).FirstOrDefault(), c.Attempt, c.Epoch))
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>Parses a stored trial config; null when it is not a valid <see cref="TrialConfig"/>.</summary>
    public static TrialConfig? ConfigOf(string configJson)
    {
        try { return JsonSerializer.Deserialize<TrialConfig>(configJson, Json); }
        catch (JsonException) { return null; }
    }

    static async Task<IReadOnlyList<TrialFacts>> FactsAsync(LabDbContext db, List<TrialEntity> trials, CancellationToken ct)
    {
        var sources = await TrialSources.ResolveAsync(db, trials.Select(t => t.Id), ct);
        return [.. trials.Select(t => Facts(t, sources))];
    }

    // A reused trial takes its original's recorded results and timings first (TrialSources), then becomes a read model.
    static TrialFacts Facts(TrialEntity t, TrialSources sources)
    {
        sources.WithOriginalData(t);
        return new TrialFacts
        {
            Id = t.Id, ExperimentId = t.ExperimentId, ExperimentName = t.Experiment?.Name, Key = t.Key, Identity = t.Identity,
            Method = t.Method, Dataset = t.Dataset, Blocks = t.Blocks, Filters = t.Filters, Scale = t.Scale, Seed = t.Seed, Tables = t.Tables,
            ConfigJson = t.ConfigJson, State = t.State, Diverged = t.Diverged, Paused = t.Paused, Attempt = t.Attempt, MaxAttempts = t.MaxAttempts,
            WorkerId = t.WorkerId, Epoch = t.Epoch, Step = t.Step, ResumedFromEpoch = t.ResumedFromEpoch, BestPsnr = t.BestPsnr,
            Result = TrialFacts.ResultOf(t.ResultJson), Parameters = t.Parameters, Seconds = t.Seconds, Error = t.Error,
            EnvironmentJson = t.EnvironmentJson, ReusedFromTrialId = t.ReusedFromTrialId, StartedAt = t.StartedAt, FinishedAt = t.FinishedAt,
            Original = sources.OriginalOf(t.Id) is { } o
                ? new ReusedOriginal(o.Id, o.Key, o.ExperimentId, o.Experiment?.Name, o.FinishedAt, o.Attempt, o.ResumedFromEpoch, o.WorkerId)
                : null,
        };
    }

    static TransitionRow Row(TrialTransitionEntity t) => new(t.TrialId, t.At, t.FromState, t.ToState, t.Attempt, t.WorkerId, t.Reason);

    // Unreadable or absent: none, and the page shows the device kind instead.
    static IReadOnlyList<DeviceInfo> DevicesOf(string json)
    {
        try { return JsonSerializer.Deserialize<DeviceInfo[]>(json, Json) ?? []; }
        catch (JsonException) { return []; }
    }
}
