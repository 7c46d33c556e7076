using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Reports;

/// <summary>Loads an experiment's succeeded trials and builds a report table (the one place tables are computed).</summary>
public sealed class ReportService(IDbContextFactory<LabDbContext> db)
{
    static readonly JsonSerializerOptions Json = WireJson.Options;

    /// <summary>Table <paramref name="table"/> of experiment <paramref name="experimentId"/>; null when the experiment is unknown.</summary>
    public async Task<ReportTable?> BuildAsync(Guid experimentId, int table, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var e = await ctx.Experiments.AsNoTracking().FirstOrDefaultAsync(x => x.Id == experimentId, ct);
        if (e is null) return null;
        var succeeded = await ctx.Trials.AsNoTracking()
            .Where(t => t.ExperimentId == experimentId && t.State == TrialState.Succeeded)
            .ToListAsync(ct);
        // A reused trial reports its original's result and time per epoch, like every other view of it.
        var sources = await TrialSources.ResolveAsync(ctx, succeeded.Select(t => t.Id), ct);
        var rows = succeeded.Select(sources.WithOriginalData).Where(t => t.ResultJson != null);
        var trials = rows.Select(t => new ReportTrial(t.Id, t.Method, t.Dataset, t.Blocks, t.Filters, t.Scale, t.Seed, t.Tables,
            JsonSerializer.Deserialize<EvalResult>(t.ResultJson!, Json)!, t.Seconds is { } s && t.Epoch > 0 ? s / t.Epoch : null)).ToList();
        return ReportBuilder.Build(table, e.Protocol, trials);
    }
}
