using System.Globalization;
using System.Text.Json;
using Dggrn.Contracts.Trials;
using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>
/// Per-step curves of 10^5 points in a real browser: a planted spike and a planted dip are drawn at every zoom level,
/// every level's extremes equal the data's, the same view is served identically twice, and zoomed in far enough every
/// recorded point is drawn as recorded.
/// </summary>
public sealed class ZoomChartBrowserTests(DashboardFixture app, BrowserFixture browser)
    : IClassFixture<DashboardFixture>, IClassFixture<BrowserFixture>
{
    const int Steps = 100_000;
    const long SpikeStep = 31_337, DipStep = 77_777;
    const double Spike = 50, Dip = 1e-5;

    // The planted trial's series, as the test wrote it (the truth the served points are checked against).
    static double Planted(long s) => s == SpikeStep ? Spike : s == DipStep ? Dip : StepSeries.Loss(s);

    sealed record Trace(string Name, double[] X, double[] Y);

    static async Task<Trace[]> TracesAsync(IPage page) => (await page.EvaluateAsync<JsonElement>(
            "() => document.getElementById('all-train-loss').data.map(t => ({ name: t.name, x: Array.from(t.x), y: Array.from(t.y) }))"))
        .EnumerateArray().Select(t => new Trace(t.GetProperty("name").GetString()!,
            [.. t.GetProperty("x").EnumerateArray().Select(v => v.GetDouble())], [.. t.GetProperty("y").EnumerateArray().Select(v => v.GetDouble())]))
        .ToArray();

    // Zooms like a user would (Plotly.relayout is what a drag-zoom ends in) and waits until the chart shows that range.
    static async Task<(long Bucket, bool Exact)> ZoomAsync(IPage page, long lo, long hi)
    {
        await page.EvaluateAsync("([lo, hi]) => Plotly.relayout('all-train-loss', { 'xaxis.range': [lo, hi] })", new[] { lo, hi });
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{lo}:{hi}:");
        await page.WaitForFunctionAsync("p => (document.getElementById('all-train-loss-panel').dataset.view || '').startsWith(p)", prefix);
        return await ServedAsync(page);
    }

    static async Task<(long Bucket, bool Exact)> ServedAsync(IPage page)
    {
        var view = await page.EvaluateAsync<string>("() => document.getElementById('all-train-loss-panel').dataset.view");
        var exact = await page.EvaluateAsync<string>("() => document.getElementById('all-train-loss-panel').dataset.exact");
        return (long.Parse(view.Split(':')[2], CultureInfo.InvariantCulture), exact == "true");
    }

    [Fact]
    public async Task Planted_spike_and_dip_show_at_every_zoom_level_and_zooming_in_reaches_every_point()
    {
        Dggrn.Orchestrator.Infrastructure.Entities.ExperimentEntity e;
        await using (var db = app.NewDb())
            e = await SeedData.ExperimentAsync(db, "zoom-grid",
            [
                ("dggrn", "NAMIC", 8, 64, 2, 0, TrialState.Succeeded), ("resnet", "NAMIC", 8, 64, 2, 0, TrialState.Succeeded),
                ("dggrn", "IXI", 8, 64, 2, 0, TrialState.Succeeded),
            ]);
        var planted = e.Trials.Single(t => t.Method == "dggrn" && t.Dataset == "NAMIC");
        foreach (var t in e.Trials)
            await StepSeries.CopyAsync(app.ConnectionString, t.Id, "train/loss", Enumerable.Range(1, Steps).Select(s => (long)s)
                .Select(s => (s, t == planted ? Planted(s) : StepSeries.Loss(s, salt: t.Key.Length))));

        var page = await browser.SignedInPageAsync(app.BaseUrl, await app.CreateTokenAsync("viewer"));
        await page.GotoAsync($"/experiments/{e.Id}");
        await page.WaitForFunctionAsync("() => !!document.getElementById('all-train-loss-panel')?.dataset.view");
        await page.WaitForFunctionAsync("() => { const el = document.getElementById('all-train-loss'); return !!(el && el.data && el.data.length === 3); }");

        // The whole run: a few hundred points per curve, not 10^5, and still the spike and the dip.
        var served = new List<(long Bucket, bool Exact)> { await ServedAsync(page) };
        Assert.False(served[0].Exact);
        var full = await TracesAsync(page);
        Assert.All(full, t => Assert.InRange(t.X.Length, 16, 5_000));
        CheckExtremes(full.Single(t => t.Name == planted.Key), 1, Steps);
        var before = await TracesAsync(page);

        // Zoom in step by step; each range is fetched again at its own resolution, ending where every point shows.
        (long Lo, long Hi)[] ranges = [(0, Steps), (25_000, 85_000), (30_000, 40_000), (75_000, 80_000), (31_000, 35_000), (31_300, 31_400)];
        foreach (var (lo, hi) in ranges)
        {
            served.Add(await ZoomAsync(page, lo, hi));
            var trace = (await TracesAsync(page)).Single(t => t.Name == planted.Key);
            CheckExtremes(trace, lo, hi);
        }
        // Zoomed in to 101 steps every recorded point is drawn, as recorded, plus the neighbour on each side.
        Assert.True(served[^1].Exact);
        Assert.Equal(1, served[^1].Bucket);
        var exact = (await TracesAsync(page)).Single(t => t.Name == planted.Key);
        Assert.Equal(Enumerable.Range(31_299, 103).Select(s => (double)s), exact.X);
        Assert.Equal(exact.X.Select(s => Planted((long)s)), exact.Y);
        Assert.Contains((SpikeStep, Spike), exact.X.Zip(exact.Y, (x, y) => ((long)x, y)));
        // Coarser views came from coarser buckets: the levels really changed with the zoom.
        Assert.True(served.Select(s => s.Bucket).Distinct().Count() >= 4, $"bucket sizes served: {string.Join(", ", served)}");
        Assert.All(served.Zip(served.Skip(1)), p => Assert.True(p.First.Bucket >= p.Second.Bucket, $"bucket sizes served: {string.Join(", ", served)}"));

        // Deterministic: the whole run again (double-click reset) gives the very same points as the first load.
        await page.EvaluateAsync("() => Plotly.relayout('all-train-loss', { 'xaxis.autorange': true })");
        await page.WaitForFunctionAsync("p => (document.getElementById('all-train-loss-panel').dataset.view || '').startsWith(p)", "1:100000:");
        var again = await TracesAsync(page);
        Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(again));
        await BrowserFixture.ScreenshotAsync(page, "zoom-chart-full");
    }

    // The served points of [lo, hi] hold the data's largest and smallest value there, at their steps, exactly.
    static void CheckExtremes(Trace t, long lo, long hi)
    {
        var inRange = t.X.Zip(t.Y, (x, y) => (X: (long)x, Y: y)).Where(p => p.X >= lo && p.X <= hi).ToList();
        var truth = Enumerable.Range((int)Math.Max(1, lo), (int)(Math.Min(Steps, hi) - Math.Max(1, lo) + 1)).Select(s => (X: (long)s, Y: Planted(s))).ToList();
        var max = truth.MaxBy(p => p.Y);
        var min = truth.MinBy(p => p.Y);
        Assert.Contains(max, inRange);
        Assert.Contains(min, inRange);
        Assert.Equal(max.Y, inRange.Max(p => p.Y));
        Assert.Equal(min.Y, inRange.Min(p => p.Y));
        if (lo <= SpikeStep && SpikeStep <= hi) Assert.Equal((SpikeStep, Spike), max);
        if (lo <= DipStep && DipStep <= hi) Assert.Equal((DipStep, Dip), min);
        // Every point drawn is a recorded point.
        Assert.All(inRange, p => Assert.Equal(Planted(p.X), p.Y));
    }
}
