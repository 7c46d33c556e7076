using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Storage;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dggrn.Orchestrator.Queries;

/// <summary>Read models of the API (status, workers, checkpoints), straight from PostgreSQL.</summary>
public sealed class LabQueries(IDbContextFactory<LabDbContext> db, NpgsqlDataSource data, IOptions<OrchestratorOptions> options)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>All experiments, newest first, with trial counts by state.</summary>
    public async Task<ExperimentSummary[]> ExperimentsAsync(CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var experiments = await ctx.Experiments.AsNoTracking().OrderByDescending(e => e.CreatedAt).ToListAsync(ct);
        var counts = await ctx.Trials.GroupBy(t => new { t.ExperimentId, t.State })
            .Select(g => new { g.Key.ExperimentId, g.Key.State, N = g.Count() }).ToListAsync(ct);
        var means = await ctx.Trials.Where(t => t.State == TrialState.Succeeded && t.Seconds != null && t.ReusedFromTrialId == null)
            .GroupBy(t => t.ExperimentId).Select(g => new { Id = g.Key, Mean = g.Average(t => t.Seconds!.Value) }).ToDictionaryAsync(x => x.Id, x => x.Mean, ct);
        var progress = (await ctx.Trials.AsNoTracking().Where(t => (t.State == TrialState.Leased || t.State == TrialState.Running) && t.Epoch > 0)
            .Select(t => new { t.ExperimentId, t.StartedAt, t.Epoch, t.ConfigJson }).ToListAsync(ct))
            .GroupBy(t => t.ExperimentId)
            .ToDictionary(g => g.Key, g => TrialDurations.FromProgress(g.Select(t => (t.StartedAt, t.Epoch, TrialDurations.PlannedEpochs(t.ConfigJson))), DateTimeOffset.UtcNow));
        return [.. experiments.Select(e =>
        {
            var byState = counts.Where(c => c.ExperimentId == e.Id).ToDictionary(c => c.State.ToString(), c => c.N);
            int N(TrialState s) => byState.GetValueOrDefault(s.ToString());
            var eta = Eta(N(TrialState.Pending) + N(TrialState.Leased) + N(TrialState.Running), N(TrialState.Leased) + N(TrialState.Running),
                means.TryGetValue(e.Id, out var m) ? m : progress.GetValueOrDefault(e.Id));
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
        var ids = trials.Select(t => t.Id).ToArray();
        // Latest test metrics of unfinished trials; finished ones report their final evaluation.
        var latest = await ctx.Metrics.AsNoTracking().Where(m => ids.Contains(m.TrialId) && m.Name.StartsWith("test/"))
            .GroupBy(m => new { m.TrialId, m.Name })
            .Select(g => g.OrderByDescending(m => m.Step).First()).ToListAsync(ct);
        var done = trials.Where(t => t.State == TrialState.Succeeded && t.Seconds is not null && t.ReusedFromTrialId is null).ToList();
        var eta = Eta(trials.Count(t => !t.State.IsTerminal()), trials.Count(t => t.State is TrialState.Leased or TrialState.Running),
            done.Count > 0 ? done.Average(t => t.Seconds!.Value)
                : TrialDurations.FromProgress(trials.Where(t => t.State is TrialState.Leased or TrialState.Running)
                    .Select(t => (t.StartedAt, t.Epoch, TrialDurations.PlannedEpochs(t.ConfigJson))), DateTimeOffset.UtcNow));
        return new ExperimentDetail(e.Id, e.Name, e.Owner, e.State.ToString(), e.Priority,
            [.. trials.Select(t => Summary(t, latest.Where(m => m.TrialId == t.Id).ToDictionary(m => m.Name, m => m.Value)))],
            e.CreatedAt, eta);
    }

    /// <summary>Remaining time: open trials x mean seconds of a trial / trials running now. 0 when nothing is open;
    /// null without a mean (nothing finished and no epoch done yet) or with nothing running (no basis for a guess).</summary>
    public static double? Eta(int open, int running, double? meanSeconds) =>
        open == 0 ? 0 : meanSeconds is { } m && running > 0 ? open * m / running : null;

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
        return new TrialSummary(t.Id, t.Key, t.State.ToString(), t.Attempt, t.WorkerId, t.Epoch, t.ResumedFromEpoch, t.BestPsnr, metrics,
            t.Method, t.Dataset, t.Blocks, t.Filters, t.Scale, t.Seed, t.Tables, t.ReusedFromTrialId, t.Error);
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
            [.. held.Where(h => h.WorkerId == w.Id).Select(h => h.Id)], w.LastHeartbeatAt, w.LastHeartbeatAt < lostAfter ? "Lost" : w.State))];
    }

    /// <summary>Live checkpoint records of a trial, newest first.</summary>
    public async Task<CheckpointInfo[]> CheckpointsAsync(Guid trialId, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        return await ctx.Checkpoints.AsNoTracking().Where(c => c.TrialId == trialId && c.RetiredAt == null)
            .OrderByDescending(c => c.Epoch).ThenByDescending(c => c.Step).ThenByDescending(c => c.Id)
            .Select(c => new CheckpointInfo(c.Attempt, c.Epoch, c.Step, c.Key, c.Sha256, c.SizeBytes, c.TestPsnr)).ToArrayAsync(ct);
    }

    /// <summary>The worker that holds (or last held) a trial; null when the trial is unknown or was never leased.</summary>
    /// <remarks>Hot path (every worker report): plain SQL, no EF.</remarks>
    public async Task<string?> TrialWorkerAsync(Guid trialId, CancellationToken ct)
    {
        await using var cmd = data.CreateCommand("SELECT worker_id FROM trials WHERE id = @id");
        cmd.Parameters.AddWithValue("id", trialId);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }
}
