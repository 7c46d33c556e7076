using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Orchestrator.Queries;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Reports;

/// <summary>What a frozen report shows: the experiment, the paper's tables with the measured values, the scorecard, the
/// curves (per-epoch test PSNR, per-step training loss at the report's resolution) and every trial with its configuration
/// and environment (reused trials with their originals' data).</summary>
public sealed record HtmlReportModel(ExperimentEntity Experiment, DateTimeOffset GeneratedAt, IReadOnlyList<ReportTable> Tables, Scorecard Scorecard,
    IReadOnlyList<TrialEntity> Trials, IReadOnlyDictionary<Guid, IReadOnlyDictionary<int, double>> PsnrByEpoch, CurveView StepLoss);

/// <summary>Builds the self-contained HTML report of an experiment (`dggrn report ID --format html`, the dashboard's button).</summary>
public sealed class HtmlReportService(IDbContextFactory<LabDbContext> db, ReportService reports, TimeProvider clock)
{
    /// <summary>Buckets across the report's per-step chart: its plot is about 680 px wide, two pixels per bucket.</summary>
    public const int StepLossBuckets = 340;

    /// <summary>The report, or null when the experiment is unknown.</summary>
    public async Task<string?> BuildAsync(Guid experimentId, double toleranceDb, double toleranceSsim, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var e = await ctx.Experiments.AsNoTracking().FirstOrDefaultAsync(x => x.Id == experimentId, ct);
        if (e is null) return null;
        var tables = new List<ReportTable>();
        for (var t = 1; t <= 3; t++) tables.Add((await reports.BuildAsync(experimentId, t, ct))!);
        var scoreTrials = await ScorecardService.TrialsAsync(ctx, experimentId, ct);
        var scorecard = ScorecardBuilder.Build(e.Id, e.Name, e.Protocol, scoreTrials, toleranceDb, toleranceSsim);

        var trials = await ctx.Trials.AsNoTracking().Where(t => t.ExperimentId == experimentId).OrderBy(t => t.Key).ToListAsync(ct);
        var sources = await TrialSources.ResolveAsync(ctx, trials.Select(t => t.Id), ct);
        foreach (var t in trials) sources.WithOriginalData(t);
        var ids = sources.Sources.ToArray();
        var psnr = await ctx.Metrics.AsNoTracking().Where(m => ids.Contains(m.TrialId) && m.Name == "test/psnr")
            .Select(m => new { m.TrialId, m.Epoch, m.Step, m.Value }).ToListAsync(ct);
        var bySource = psnr.GroupBy(p => p.TrialId).ToDictionary(g => g.Key,
            g => (IReadOnlyDictionary<int, double>)g.GroupBy(p => p.Epoch).OrderBy(x => x.Key).ToDictionary(x => x.Key, x => x.MaxBy(p => p.Step)!.Value));
        var curves = trials.Where(t => bySource.ContainsKey(sources[t.Id])).ToDictionary(t => t.Id, t => bySource[sources[t.Id]]);
        var stepLoss = await MetricCurves.ReadAsync(ctx, [.. trials.Select(t => t.Id)], "train/loss", null, null, StepLossBuckets, ct);

        return HtmlReportWriter.Write(new HtmlReportModel(e, clock.GetUtcNow(), tables, scorecard, trials, curves, stepLoss));
    }
}
