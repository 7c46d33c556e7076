using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Reports;

/// <summary>Loads an experiment's trials (every state, reused ones with their originals' results and curves) and builds its
/// reproduction scorecard.</summary>
public sealed class ScorecardService(IDbContextFactory<LabDbContext> db)
{
    static readonly JsonSerializerOptions Json = WireJson.Options;

    /// <summary>The scorecard of experiment <paramref name="experimentId"/> under the given tolerances; null when unknown.</summary>
    public async Task<Scorecard?> BuildAsync(Guid experimentId, double toleranceDb, double toleranceSsim, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var e = await ctx.Experiments.AsNoTracking().FirstOrDefaultAsync(x => x.Id == experimentId, ct);
        if (e is null) return null;
        var trials = await TrialsAsync(ctx, experimentId, ct);
        return ScorecardBuilder.Build(e.Id, e.Name, e.Protocol, trials, toleranceDb, toleranceSsim);
    }

    /// <summary>Every trial of the experiment as the scorecard sees it, Figure 6's with their test PSNR per epoch.</summary>
    public static async Task<List<ScoreTrial>> TrialsAsync(LabDbContext ctx, Guid experimentId, CancellationToken ct)
    {
        var rows = await ctx.Trials.AsNoTracking().Where(t => t.ExperimentId == experimentId).OrderBy(t => t.Key).ToListAsync(ct);
        var sources = await TrialSources.ResolveAsync(ctx, rows.Select(t => t.Id), ct);
        var trials = rows.Select(sources.WithOriginalData).Select(t => new ScoreTrial(t.Id, t.Method, t.Dataset, t.Blocks, t.Filters, t.Scale, t.Seed,
            t.Tables, TrialStates.Display(t.State, t.Diverged),
            t.State == TrialState.Succeeded && t.ResultJson is { } r ? JsonSerializer.Deserialize<EvalResult>(r, Json) : null)).ToList();
        var fig6 = ScorecardBuilder.Fig6Trials(trials);
        if (fig6.Count == 0) return trials;
        var ids = fig6.Select(t => sources[t.Id]).Distinct().ToArray();
        var points = await ctx.Metrics.AsNoTracking().Where(m => ids.Contains(m.TrialId) && m.Name == "test/psnr")
            .Select(m => new { m.TrialId, m.Epoch, m.Step, m.Value }).ToListAsync(ct);
        var curves = points.GroupBy(p => p.TrialId).ToDictionary(g => g.Key,
            g => (IReadOnlyDictionary<int, double>)g.GroupBy(p => p.Epoch).ToDictionary(e => e.Key, e => e.MaxBy(p => p.Step)!.Value));
        return [.. trials.Select(t => fig6.Any(f => f.Id == t.Id) && curves.TryGetValue(sources[t.Id], out var c) ? t with { PsnrByEpoch = c } : t)];
    }
}
