using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Orchestrator.Queries;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Dggrn.Dashboard.Tests;

/// <summary>
/// The rollups PostgreSQL keeps as metric rows arrive, and the curves read from them, against a brute-force computation
/// over the same points in the test: every level's buckets, after COPYs that end inside buckets, after a resumed attempt
/// overwrites a stretch and fills its gaps in one statement (the ingest's upsert) and after rows are deleted; and the
/// points served for a range equal each bucket's first, smallest, largest and last point.
/// </summary>
public sealed class MetricCurvesTests(DashboardFixture app) : IClassFixture<DashboardFixture>
{
    const string Name = "train/loss";

    static async Task<Guid> TrialAsync(DashboardFixture app, string name)
    {
        await using var db = app.NewDb();
        var e = await SeedData.ExperimentAsync(db, name, [("dggrn", "NAMIC", 8, 64, 2, 0, TrialState.Succeeded)]);
        return e.Trials[0].Id;
    }

    // What every rollup bucket must hold, from the points themselves.
    static void AssertRollups(IReadOnlyDictionary<long, double> points, List<MetricRollupEntity> rows)
    {
        for (short level = 0; level < MetricCurves.Levels; level++)
        {
            var shift = 4 + 2 * level;
            var expected = points.GroupBy(p => p.Key >> shift).OrderBy(g => g.Key).Select(g =>
            {
                var ordered = g.OrderBy(p => p.Key).ToList();
                var min = ordered.OrderBy(p => p.Value).ThenBy(p => p.Key).First();
                var max = ordered.OrderByDescending(p => p.Value).ThenBy(p => p.Key).First();
                return (g.Key, N: ordered.Count, First: ordered[0], Last: ordered[^1], Min: min, Max: max);
            }).ToList();
            var actual = rows.Where(r => r.Level == level).OrderBy(r => r.Bucket).Select(r => (r.Bucket, r.N,
                First: new KeyValuePair<long, double>(r.FirstStep, r.FirstValue), Last: new KeyValuePair<long, double>(r.LastStep, r.LastValue),
                Min: new KeyValuePair<long, double>(r.MinStep, r.MinValue), Max: new KeyValuePair<long, double>(r.MaxStep, r.MaxValue))).ToList();
            Assert.Equal(expected, actual);
        }
    }

    async Task<List<MetricRollupEntity>> RollupsAsync(Guid trial)
    {
        await using var db = app.NewDb();
        return await db.MetricRollups.AsNoTracking().Where(r => r.TrialId == trial && r.Name == Name).ToListAsync();
    }

    [Fact]
    public async Task Rollups_follow_copy_overwrite_and_delete_exactly()
    {
        var trial = await TrialAsync(app, "rollups");
        var points = Enumerable.Range(0, 20_000).ToDictionary(s => (long)s, s => StepSeries.Loss(s));
        points[777] = 9; points[778] = 9;                      // a tie: the earliest step is the maximum's step
        points[12_345] = -3;
        // Every seventh step of 5,000-5,999 is missing at first (the upsert below fills them in). The rest arrives in COPYs
        // of 5,003 points, so batches end inside buckets of every level and the next batch adds to buckets that exist.
        foreach (var s in Enumerable.Range(5000, 1000).Where(s => s % 7 == 3)) points.Remove(s);
        foreach (var chunk in points.OrderBy(p => p.Key).Chunk(5_003))
            await StepSeries.CopyAsync(app.ConnectionString, trial, Name, chunk.Select(p => (p.Key, p.Value)));
        AssertRollups(points, await RollupsAsync(trial));

        // A resumed attempt reports steps 5,000-5,999 again with other values (the ingest's upsert), among them a new maximum:
        // one statement overwrites most of them and inserts the missing ones, into the same buckets.
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO metrics (trial_id, attempt, name, step, epoch, value, at)
                SELECT @t, 2, @n, s, 1, CASE WHEN s = 5500 THEN 100 ELSE 0.5 END, now() FROM generate_series(5000, 5999) s
                ON CONFLICT (trial_id, name, step) DO UPDATE SET attempt = excluded.attempt, value = excluded.value, at = excluded.at
                """, conn);
            cmd.Parameters.AddWithValue("t", trial);
            cmd.Parameters.AddWithValue("n", Name);
            await cmd.ExecuteNonQueryAsync();
            for (long s = 5000; s <= 5999; s++) points[s] = s == 5500 ? 100 : 0.5;
            AssertRollups(points, await RollupsAsync(trial));

            // Deleting rows (nothing in the product does; the rollups must not lie if someone does) empties and shrinks buckets.
            await using var del = new NpgsqlCommand("DELETE FROM metrics WHERE trial_id = @t AND name = @n AND step BETWEEN 12000 AND 12999", conn);
            del.Parameters.AddWithValue("t", trial);
            del.Parameters.AddWithValue("n", Name);
            await del.ExecuteNonQueryAsync();
            for (long s = 12000; s <= 12999; s++) points.Remove(s);
            AssertRollups(points, await RollupsAsync(trial));
        }
    }

    [Theory]
    [InlineData(0L, 49_999L, 300)]      // buckets of 256 steps from level 2
    [InlineData(10_000L, 30_000L, 300)] // 128 steps: level 1 buckets merged in pairs
    [InlineData(1_000L, 3_000L, 300)]   // 8 steps: straight from the rows
    [InlineData(40_000L, 49_999L, 50)]  // 256 steps at a narrow width
    public async Task Served_points_are_each_buckets_first_min_max_and_last(long lo, long hi, int buckets)
    {
        var trial = await TrialAsync(app, $"curves-{lo}-{hi}-{buckets}");
        var points = Enumerable.Range(0, 50_000).ToDictionary(s => (long)s, s => StepSeries.Loss(s, 3) + (s % 997 == 0 ? 2 : 0));
        await StepSeries.CopyAsync(app.ConnectionString, trial, Name, points.Select(p => (p.Key, p.Value)));

        CurveView view;
        await using (var db = app.NewDb()) view = await MetricCurves.ReadAsync(db, [trial], Name, lo, hi, buckets);

        // The bucket width, derived here on its own: the smallest power of two that cuts the range into at most `buckets`.
        long width = 1;
        while ((hi - lo + 1 + width - 1) / width > buckets) width *= 2;
        Assert.Equal(width, view.BucketSteps);
        Assert.False(view.Exact);
        var expected = new List<(long, double)>();
        for (var b = (lo / width) - 1; b <= (hi / width) + 1; b++)
        {
            var inBucket = points.Where(p => p.Key / width == b).OrderBy(p => p.Key).ToList();
            if (inBucket.Count == 0) continue;
            var picks = new[]
            {
                inBucket[0], inBucket.OrderBy(p => p.Value).ThenBy(p => p.Key).First(),
                inBucket.OrderByDescending(p => p.Value).ThenBy(p => p.Key).First(), inBucket[^1],
            };
            expected.AddRange(picks.Select(p => (p.Key, p.Value)).Distinct().OrderBy(p => p.Key));
        }
        var s = view.Series.Single();
        Assert.Equal(expected, s.Steps.Zip(s.Values));
        Assert.True(s.Steps.Length <= 4 * (buckets + 3));
    }

    [Fact]
    public async Task A_range_with_few_points_is_served_exactly_with_its_neighbours_and_a_reused_trial_reads_its_original()
    {
        var trial = await TrialAsync(app, "exact");
        // Sparse: every 10th step, as LogEverySteps = 10 reports it.
        var points = Enumerable.Range(0, 5_000).Select(i => (Step: (long)i * 10, Value: StepSeries.Loss(i * 10L))).ToList();
        await StepSeries.CopyAsync(app.ConnectionString, trial, Name, points);
        Guid reused;
        await using (var db = app.NewDb())
        {
            var e = await SeedData.ExperimentAsync(db, "exact-reused", [("dggrn", "NAMIC", 8, 64, 2, 0, TrialState.Succeeded)]);
            reused = e.Trials[0].Id;
            await db.Trials.Where(t => t.Id == reused).ExecuteUpdateAsync(u => u.SetProperty(t => t.ReusedFromTrialId, trial));
        }

        CurveView view;
        // 20,001 steps hold 2,001 points: under 4 x 600, so every one of them is served, plus one on each side.
        await using (var db = app.NewDb()) view = await MetricCurves.ReadAsync(db, [reused, trial], Name, 10_000, 30_000, 600);
        Assert.True(view.Exact);
        Assert.Equal(1, view.BucketSteps);
        var expected = points.Where(p => p.Step >= 9_990 && p.Step <= 30_010).ToList();
        foreach (var id in new[] { reused, trial })
        {
            var s = view.Series.Single(x => x.TrialId == id);
            Assert.Equal(expected, s.Steps.Zip(s.Values, (a, b) => (a, b)));
        }

        // No range: the whole run, from its first recorded step to its last.
        await using (var db = app.NewDb()) view = await MetricCurves.ReadAsync(db, [trial], Name, null, null, 600);
        Assert.Equal((0L, 49_990L), (view.Lo, view.Hi));
        Assert.False(view.Exact);
    }
}
