using System.Numerics;
using Microsoft.EntityFrameworkCore;
using Dggrn.Orchestrator.Infrastructure;
using Npgsql;

namespace Dggrn.Orchestrator.Queries;

/// <summary>One trial's curve as served: points in step order, each a real recorded point (step and value).</summary>
public sealed record CurveSeries(Guid TrialId, long[] Steps, double[] Values);

/// <summary>
/// A metric's curves over a step range, at the resolution a chart of some width can show. <see cref="BucketSteps"/> is the
/// bucket width the points were chosen in (1 when <see cref="Exact"/>: every recorded point of the range).
/// </summary>
public sealed record CurveView(string Metric, long Lo, long Hi, long BucketSteps, bool Exact, IReadOnlyList<CurveSeries> Series)
{
    /// <summary>Every point of every curve.</summary>
    public int Points => Series.Sum(s => s.Steps.Length);
}

/// <summary>
/// Reads metric curves of any length for a chart <c>B</c> buckets wide, keeping every extremum: the range is cut into
/// buckets of a power-of-two number of steps (at least range / B), and each bucket contributes its first, smallest, largest
/// and last point (in step order). So a spike or a dip is drawn at every zoom, a curve of 10^5 points costs at most 4B, and
/// once the range holds no more than 4B points they are all served as recorded (exact).
/// </summary>
/// <remarks>
/// Buckets are aligned to absolute steps (not to the requested range), so the same range and width always give the same
/// points, and zooming changes the resolution, not the values. Buckets of 16 steps and more come from
/// <c>metric_rollups</c> (level L holds buckets of 2^(4 + 2L) steps; PostgreSQL keeps them as rows arrive), finer ones
/// straight from <c>metrics</c>; either way at most about 4B rows per curve are read. One bucket beyond each end of the range
/// is included, so lines run to the chart's edges. A reused trial reads its original's rows (<see cref="TrialSources"/>).
/// </remarks>
public static class MetricCurves
{
    /// <summary>log2 of the steps in a level-0 rollup bucket.</summary>
    public const int BaseShift = 4;

    /// <summary>Each rollup level's buckets hold 2^LevelShift of the level below.</summary>
    public const int LevelShift = 2;

    /// <summary>Rollup levels kept (0 .. Levels - 1).</summary>
    public const int Levels = 10;

    /// <summary>Fewest buckets a view is cut into, whatever the chart's width.</summary>
    public const int MinBuckets = 8;

    /// <summary>The bucket width (a power of two, in steps) for <paramref name="buckets"/> buckets over [lo, hi].</summary>
    public static long BucketSteps(long lo, long hi, int buckets)
    {
        var range = Math.Max(1, hi - lo + 1);
        var b = Math.Max(MinBuckets, buckets);
        var per = (range + b - 1) / b;
        return per <= 1 ? 1 : (long)BitOperations.RoundUpToPowerOf2((ulong)per);
    }

    /// <summary>
    /// The curves of <paramref name="metric"/> for <paramref name="trials"/> over [<paramref name="lo"/>, <paramref name="hi"/>]
    /// (both null: every step recorded), cut into about <paramref name="buckets"/> buckets (half the chart's pixel width
    /// gives two pixels per bucket). Trials without points have an empty series.
    /// </summary>
    public static async Task<CurveView> ReadAsync(LabDbContext db, IReadOnlyCollection<Guid> trials, string metric, long? lo, long? hi,
        int buckets, CancellationToken ct = default)
    {
        var sources = await TrialSources.ResolveAsync(db, trials, ct);
        var ids = sources.Sources.ToArray();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            if (lo is null || hi is null)
            {
                var extent = await ExtentAsync(conn, ids, metric, ct);
                if (extent is null) return Empty(metric, trials, 0, 0);
                lo ??= extent.Value.Lo;
                hi ??= extent.Value.Hi;
            }
            var (from, to) = (Math.Min(lo.Value, hi.Value), Math.Max(lo.Value, hi.Value));
            var width = BucketSteps(from, to, buckets);
            var limit = 4L * Math.Max(MinBuckets, buckets);
            Dictionary<Guid, List<(long Step, double Value)>>? points = null;
            var exact = width == 1;
            if (!exact)
            {
                var (byTrial, inRange) = await BucketsAsync(conn, ids, metric, from, to, width, ct);
                // Few enough points to draw them all: the range is served as recorded.
                if (inRange <= limit) exact = true;
                else points = byTrial;
            }
            if (exact) points = await RawAsync(conn, ids, metric, from, to, ct);
            var series = trials.Distinct().Select(t => points!.TryGetValue(sources[t], out var p)
                ? new CurveSeries(t, [.. p.Select(x => x.Step)], [.. p.Select(x => x.Value)])
                : new CurveSeries(t, [], [])).ToList();
            return new CurveView(metric, from, to, exact ? 1 : width, exact, series);
        }
        finally { await db.Database.CloseConnectionAsync(); }
    }

    static CurveView Empty(string metric, IEnumerable<Guid> trials, long lo, long hi) =>
        new(metric, lo, hi, 1, true, [.. trials.Distinct().Select(t => new CurveSeries(t, [], []))]);

    // The first and last step recorded over all the curves, from the coarsest rollup level (a handful of rows per curve).
    static async Task<(long Lo, long Hi)?> ExtentAsync(NpgsqlConnection conn, Guid[] ids, string metric, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT min(first_step), max(last_step) FROM metric_rollups WHERE trial_id = ANY(@ids) AND name = @name AND level = @level", conn);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.AddWithValue("name", metric);
        cmd.Parameters.AddWithValue("level", (short)(Levels - 1));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct) || r.IsDBNull(0)) return null;
        return (r.GetInt64(0), r.GetInt64(1));
    }

    // First, smallest, largest and last point of every bucket of `width` steps from one bucket before the range to one
    // after it, and how many points the buckets that overlap the range hold.
    static async Task<(Dictionary<Guid, List<(long, double)>>, long)> BucketsAsync(NpgsqlConnection conn, Guid[] ids, string metric,
        long lo, long hi, long width, CancellationToken ct)
    {
        var shift = BitOperations.Log2((ulong)width);
        var (first, last) = ((lo >> shift) - 1, (hi >> shift) + 1);
        NpgsqlCommand cmd;
        if (shift < BaseShift)
        {
            cmd = new NpgsqlCommand("""
                SELECT trial_id, b, n, f[1], f[2], l[1], l[2], mn[2], mn[1], -mx[2], mx[1] FROM (
                  SELECT trial_id, step >> @shift AS b, count(*) AS n,
                         min(ARRAY[step::float8, value]) AS f, max(ARRAY[step::float8, value]) AS l,
                         min(ARRAY[value, step::float8]) AS mn, max(ARRAY[value, -step::float8]) AS mx
                  FROM metrics WHERE trial_id = ANY(@ids) AND name = @name AND step >= @from AND step < @to
                  GROUP BY 1, 2) a ORDER BY 1, 2
                """, conn);
            cmd.Parameters.AddWithValue("from", first << shift);
            cmd.Parameters.AddWithValue("to", (last + 1) << shift);
        }
        else
        {
            // The finest stored level whose buckets fit in one of ours; its buckets are merged 2^j at a time.
            var level = Math.Min(Levels - 1, (shift - BaseShift) / LevelShift);
            var j = shift - BaseShift - LevelShift * level;
            cmd = new NpgsqlCommand("""
                SELECT trial_id, b, n, f[1], f[2], l[1], l[2], mn[2], mn[1], -mx[2], mx[1] FROM (
                  SELECT trial_id, bucket >> @j AS b, sum(n)::bigint AS n,
                         min(ARRAY[first_step::float8, first_value]) AS f, max(ARRAY[last_step::float8, last_value]) AS l,
                         min(ARRAY[min_value, min_step::float8]) AS mn, max(ARRAY[max_value, -max_step::float8]) AS mx
                  FROM metric_rollups WHERE trial_id = ANY(@ids) AND name = @name AND level = @level AND bucket >= @from AND bucket < @to
                  GROUP BY 1, 2) a ORDER BY 1, 2
                """, conn);
            cmd.Parameters.AddWithValue("j", j);
            cmd.Parameters.AddWithValue("level", (short)level);
            cmd.Parameters.AddWithValue("from", first << j);
            cmd.Parameters.AddWithValue("to", (last + 1) << j);
        }
        await using var _ = cmd;
        cmd.Parameters.AddWithValue("shift", shift);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.AddWithValue("name", metric);
        var result = new Dictionary<Guid, List<(long, double)>>();
        long inRange = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var trial = r.GetGuid(0);
            var b = r.GetInt64(1);
            if (b >= lo >> shift && b <= hi >> shift) inRange += r.GetInt64(2);
            if (!result.TryGetValue(trial, out var list)) result[trial] = list = [];
            // Columns: first (step, value), last, min, max, each as (step, value).
            AddBucket(list, (r.GetDouble(3), r.GetDouble(4)), (r.GetDouble(5), r.GetDouble(6)), (r.GetDouble(7), r.GetDouble(8)),
                (r.GetDouble(9), r.GetDouble(10)));
        }
        return (result, inRange);
    }

    /// <summary>Appends a bucket's first, smallest, largest and last point (each (step, value)) in step order, once each.</summary>
    public static void AddBucket(List<(long Step, double Value)> into, (double Step, double Value) first, (double Step, double Value) last,
        (double Step, double Value) min, (double Step, double Value) max)
    {
        var four = new[] { first, min, max, last }.Select(p => ((long)p.Step, p.Value)).OrderBy(p => p.Item1).ToArray();
        foreach (var p in four)
            if (into.Count == 0 || into[^1].Step != p.Item1) into.Add(p);
    }

    // Every point in [lo, hi] plus the nearest one on each side (so the line reaches the chart's edges).
    static async Task<Dictionary<Guid, List<(long, double)>>> RawAsync(NpgsqlConnection conn, Guid[] ids, string metric, long lo, long hi, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT trial_id, step, value FROM metrics WHERE trial_id = ANY(@ids) AND name = @name AND step BETWEEN @lo AND @hi
            UNION ALL
            SELECT t.id, p.step, p.value FROM unnest(@ids) AS t(id) CROSS JOIN LATERAL
              (SELECT step, value FROM metrics WHERE trial_id = t.id AND name = @name AND step < @lo ORDER BY step DESC LIMIT 1) p
            UNION ALL
            SELECT t.id, p.step, p.value FROM unnest(@ids) AS t(id) CROSS JOIN LATERAL
              (SELECT step, value FROM metrics WHERE trial_id = t.id AND name = @name AND step > @hi ORDER BY step LIMIT 1) p
            """, conn);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.AddWithValue("name", metric);
        cmd.Parameters.AddWithValue("lo", lo);
        cmd.Parameters.AddWithValue("hi", hi);
        var result = new Dictionary<Guid, List<(long, double)>>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var trial = r.GetGuid(0);
                if (!result.TryGetValue(trial, out var list)) result[trial] = list = [];
                list.Add((r.GetInt64(1), r.GetDouble(2)));
            }
        foreach (var list in result.Values) list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return result;
    }
}
