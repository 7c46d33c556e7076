using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Queries;

/// <summary>Read models of the API (status, workers, checkpoints), straight from PostgreSQL.</summary>
public sealed class LabQueries(IDbContextFactory<LabDbContext> db, IOptions<OrchestratorOptions> options)
{
    static readonly JsonSerializerOptions Json = WireJson.Options;

    /// <summary>All experiments, newest first, with trial counts by state.</summary>
    public async Task<ExperimentSummary[]> ExperimentsAsync(CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var experiments = await ctx.Experiments.AsNoTracking().OrderByDescending(e => e.CreatedAt).ToListAsync(ct);
        // One read of the trials serves both the counts by state and the ETA.
        var timings = await TrialTiming.ByExperimentAsync(ctx.Trials.AsNoTracking(), ct);
        var now = DateTimeOffset.UtcNow;
        return [.. experiments.Select(e =>
        {
            var trials = timings[e.Id].ToList();
            var byState = trials.GroupBy(t => t.State).ToDictionary(g => g.Key.ToString(), g => g.Count());
            var eta = ExperimentEta.SecondsLeft(trials, now);
            return new ExperimentSummary(e.Id, e.Name, e.Owner, e.State.ToString(), e.Priority, byState, byState.Values.Sum(),
                e.CreatedAt, e.StartedAt, e.FinishedAt, eta);
        })];
    }

    /// <summary>One experiment with its trials; null when unknown.</summary>
    public async Task<ExperimentDetail?> ExperimentAsync(Guid id, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var e = await ctx.Experiments.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (e is null) return null;
        var trials = await ctx.Trials.AsNoTracking().Where(t => t.ExperimentId == id).OrderBy(t => t.Key).ToListAsync(ct);
        // The ETA reads the trials' own times (a reused trial ran elsewhere); every other field shows the original's data.
        var eta = ExperimentEta.SecondsLeft([.. trials.Select(Timing)], DateTimeOffset.UtcNow);
        var sources = await TrialSources.ResolveAsync(ctx, trials.Select(t => t.Id), ct);
        var ids = sources.Sources.ToArray();
        // Latest test metrics of unfinished trials; finished ones report their final evaluation.
        var latest = await ctx.Metrics.AsNoTracking().Where(m => ids.Contains(m.TrialId) && m.Name.StartsWith("test/"))
            .GroupBy(m => new { m.TrialId, m.Name })
            .Select(g => g.OrderByDescending(m => m.Step).First()).ToListAsync(ct);
        return new ExperimentDetail(e.Id, e.Name, e.Owner, e.State.ToString(), e.Priority,
            [.. trials.Select(t => Summary(sources.WithOriginalData(t),
                latest.Where(m => m.TrialId == sources[t.Id]).ToDictionary(m => m.Name, m => m.Value)))],
            e.CreatedAt, eta);
    }

    static TrialTiming Timing(TrialEntity t) =>
        TrialTiming.Of(t.State, t.StartedAt, t.FinishedAt, t.Epoch, t.ReusedFromTrialId, t.ConfigJson, t.Method, t.Blocks, t.Filters, t.Scale);

    static TrialSummary Summary(TrialEntity t, Dictionary<string, double> metrics)
    {
        if (t.ResultJson is { } json && JsonSerializer.Deserialize<EvalResult>(json, Json) is { } r)
        {
            metrics["test/psnr"] = r.Overall.Psnr;
            metrics["test/ssim"] = r.Overall.Ssim;
            foreach (var (axis, a) in r.Axes)
            {
                metrics[$"test/psnr/axis{axis}"] = a.Psnr;
                metrics[$"test/ssim/axis{axis}"] = a.Ssim;
            }
        }
        return new TrialSummary(t.Id, t.Key, TrialStates.Display(t.State, t.Diverged), t.Attempt, t.WorkerId, t.Epoch, t.ResumedFromEpoch, t.BestPsnr, metrics,
            t.Method, t.Dataset, t.Blocks, t.Filters, t.Scale, t.Seed, t.Tables, t.ReusedFromTrialId, t.Error,
            t.EnvironmentJson is null ? null : JsonSerializer.Deserialize<TrialEnvironment>(t.EnvironmentJson, WireJson.Options),
            t.StartedAt, t.FinishedAt, t.Seconds);
    }

    /// <summary>A lost worker that holds nothing drops out of the list after this long (each local restart registers anew).</summary>
    public static readonly TimeSpan ForgetLostAfter = TimeSpan.FromMinutes(10);

    /// <summary>Registered workers with the trials they hold. A worker silent for longer than the lease TTL is "Lost";
    /// one silent for longer than <see cref="ForgetLostAfter"/> that holds no trial is left out.</summary>
    public async Task<WorkerSummary[]> WorkersAsync(CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var forgetBefore = DateTimeOffset.UtcNow - ForgetLostAfter;
        var workers = await ctx.Workers.AsNoTracking()
            .Where(w => w.LastHeartbeatAt >= forgetBefore || ctx.Trials.Any(t => t.WorkerId == w.Id && (t.State == TrialState.Leased || t.State == TrialState.Running)))
            .OrderBy(w => w.Id).ToListAsync(ct);
        var held = await ctx.Trials.AsNoTracking().Where(t => t.WorkerId != null && (t.State == TrialState.Leased || t.State == TrialState.Running))
            .Select(t => new { t.WorkerId, t.Id }).ToListAsync(ct);
        var lostAfter = DateTimeOffset.UtcNow.AddSeconds(-options.Value.LeaseTtlSeconds);
        return [.. workers.Select(w => new WorkerSummary(w.Id, w.Host, w.Pid, w.Device, w.Slots, w.FreeSlots,
            [.. held.Where(h => h.WorkerId == w.Id).Select(h => h.Id)], w.LastHeartbeatAt,
            w.LastHeartbeatAt < lostAfter ? "Lost" : w.NumericsPassed == false ? "Refused" : w.State,
            w.NumericsJson is null ? null : JsonSerializer.Deserialize<NumericsInfo>(w.NumericsJson, WireJson.Options)))];
    }

    /// <summary>Live checkpoint records of a trial, newest first; a reused trial lists its original's.</summary>
    public async Task<CheckpointInfo[]> CheckpointsAsync(Guid trialId, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var source = await TrialSources.SourceOfAsync(ctx, trialId, ct);
        return await ctx.Checkpoints.AsNoTracking().Where(c => c.TrialId == source && c.RetiredAt == null)
            .OrderByDescending(c => c.Epoch).ThenByDescending(c => c.Step).ThenByDescending(c => c.Id)
            .Select(c => new CheckpointInfo(c.Attempt, c.Epoch, c.Step, c.Key, c.Sha256, c.SizeBytes, c.TestPsnr)).ToArrayAsync(ct);
    }

    /// <summary>A trial's metric series (all of them, or those in <paramref name="names"/>), a reused trial's from its
    /// original; null when the trial is unknown.</summary>
    public async Task<TrialMetrics?> MetricsAsync(Guid trialId, IReadOnlyCollection<string>? names, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var trial = await ctx.Trials.AsNoTracking().Where(t => t.Id == trialId).Select(t => new { t.ReusedFromTrialId }).FirstOrDefaultAsync(ct);
        if (trial is null) return null;
        var source = await TrialSources.SourceOfAsync(ctx, trialId, ct);
        var rows = ctx.Metrics.AsNoTracking().Where(m => m.TrialId == source);
        if (names is { Count: > 0 }) rows = rows.Where(m => names.Contains(m.Name));
        var points = await rows.OrderBy(m => m.Name).ThenBy(m => m.Step).Select(m => new { m.Name, m.Step, m.Epoch, m.Value }).ToListAsync(ct);
        return new TrialMetrics(trialId, trial.ReusedFromTrialId,
            points.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.Select(p => new SeriesPoint(p.Step, p.Epoch, p.Value)).ToArray()));
    }
}
