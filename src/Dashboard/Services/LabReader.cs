using Dggrn.Contracts.Api;
using System.Text.Json;
using Dggrn.Contracts.Storage;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Dashboard.Services;

/// <summary>One row of the experiments list.</summary>
public sealed record ExperimentRow(Guid Id, string Name, string Owner, ExperimentState State, IReadOnlyDictionary<TrialState, int> ByState,
    int Total, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, double? EtaSeconds);

/// <summary>Read-only queries over the lab database (the orchestrator owns every write).</summary>
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

    /// <summary>An experiment with its trials, or null.</summary>
    public async Task<ExperimentEntity?> GetExperimentAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Experiments.AsNoTracking().Include(e => e.Trials).SingleOrDefaultAsync(e => e.Id == id, ct);
    }

    /// <summary>A trial with its experiment, or null.</summary>
    public async Task<TrialEntity?> GetTrialAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Trials.AsNoTracking().Include(t => t.Experiment).SingleOrDefaultAsync(t => t.Id == id, ct);
    }

    /// <summary>State history of a trial, oldest first.</summary>
    public async Task<IReadOnlyList<TrialTransitionEntity>> TransitionsAsync(Guid trialId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.TrialTransitions.AsNoTracking().Where(t => t.TrialId == trialId).OrderBy(t => t.At).ThenBy(t => t.Id).ToListAsync(ct);
    }

    /// <summary>Recorded checkpoints of a trial, newest first.</summary>
    public async Task<IReadOnlyList<CheckpointEntity>> CheckpointsAsync(Guid trialId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Checkpoints.AsNoTracking().Where(c => c.TrialId == trialId).OrderByDescending(c => c.Epoch).ToListAsync(ct);
    }

    /// <summary>Example images and feature maps of a trial.</summary>
    public async Task<IReadOnlyList<ArtifactEntity>> ArtifactsAsync(Guid trialId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Artifacts.AsNoTracking().Where(a => a.TrialId == trialId).OrderBy(a => a.Epoch).ThenBy(a => a.Axis).ThenBy(a => a.Slice)
            .ToListAsync(ct);
    }

    /// <summary>The last <paramref name="lines"/> log lines of a trial, oldest first.</summary>
    public async Task<IReadOnlyList<TrialLogEntity>> LogTailAsync(Guid trialId, int lines, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var tail = await db.TrialLogs.AsNoTracking().Where(l => l.TrialId == trialId).OrderByDescending(l => l.Id).Take(lines).ToListAsync(ct);
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
        return await q.OrderByDescending(t => t.CreatedAt).Take(max).ToListAsync(ct);
    }

    /// <summary>Trials by id, with their experiments.</summary>
    public async Task<IReadOnlyList<TrialEntity>> TrialsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Trials.AsNoTracking().Include(t => t.Experiment).Where(t => ids.Contains(t.Id)).ToListAsync(ct);
    }

    /// <summary>Distinct metric names the given trials have reported.</summary>
    public async Task<IReadOnlyList<string>> MetricNamesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Metrics.AsNoTracking().Where(m => ids.Contains(m.TrialId)).Select(m => m.Name).Distinct().OrderBy(n => n).ToListAsync(ct);
    }

    /// <summary>The value at the highest step of metric <paramref name="name"/> per trial (trials without it are absent).</summary>
    public async Task<IReadOnlyDictionary<Guid, double>> LastValuesAsync(IReadOnlyCollection<Guid> ids, string name, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rows = await db.Metrics.AsNoTracking().Where(m => ids.Contains(m.TrialId) && m.Name == name)
            .GroupBy(m => m.TrialId)
            .Select(g => g.OrderByDescending(m => m.Step).Select(m => new { m.TrialId, m.Value }).First())
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.TrialId, r => r.Value);
    }


    /// <summary>Parses a stored trial config; null when it is not a valid <see cref="TrialConfig"/>.</summary>
    public static TrialConfig? ConfigOf(string configJson)
    {
        try { return JsonSerializer.Deserialize<TrialConfig>(configJson, Json); }
        catch (JsonException) { return null; }
    }
}
