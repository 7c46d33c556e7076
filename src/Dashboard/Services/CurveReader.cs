using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Queries;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Dashboard.Services;

/// <summary>Curves of any length at a chart's resolution (<see cref="MetricCurves"/>), for <c>ZoomChart</c>.</summary>
public sealed class CurveReader(IDbContextFactory<LabDbContext> dbs)
{
    /// <summary>The curves of <paramref name="metric"/> over [lo, hi] (null: everything recorded) in about
    /// <paramref name="buckets"/> buckets, every bucket's extremes kept.</summary>
    public async Task<CurveView> ReadAsync(IReadOnlyCollection<Guid> trials, string metric, long? lo, long? hi, int buckets, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await MetricCurves.ReadAsync(db, trials, metric, lo, hi, buckets, ct);
    }

    /// <summary>The trials whose rows hold <paramref name="trials"/>' data (a reused trial's original), to match notifications.</summary>
    public async Task<IReadOnlyCollection<Guid>> SourcesAsync(IEnumerable<Guid> trials, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return (await TrialSources.ResolveAsync(db, trials, ct)).Sources;
    }
}
