using System.Diagnostics;
using Dggrn.Contracts.Trials;
using Npgsql;
using NpgsqlTypes;
using Xunit.Abstractions;

namespace Dggrn.Dashboard.Tests;

/// <summary>
/// Benchmark (not a timed test): the experiment page of a 34-trial grid with 65 epochs of 4 per-epoch series,
/// from navigation to every point drawn. Numbers go to the test output and docs/benchmarks.md.
/// </summary>
[Trait("Category", "Long")]
public sealed class ExperimentPageBenchmark(DashboardFixture app, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<DashboardFixture>, IClassFixture<BrowserFixture>
{
    static readonly string[] Metrics = ["test/psnr", "test/ssim", "train/epoch_loss", "lr"];

    [Fact]
    public async Task Experiment_page_34_trials_65_epochs_4_series()
    {
        // 3 datasets x 3 scales x {dggrn, resnet} = 18, plus 16 ablation trials (blocks and filters) = 34.
        var specs = new List<(string, string, int, int, int, int, TrialState)>();
        foreach (var d in new[] { "BrainWeb", "NAMIC", "IXI" })
        foreach (var s in new[] { 2, 3, 4 })
        foreach (var m in new[] { "dggrn", "resnet" })
            specs.Add((m, d, 8, 64, s, 0, TrialState.Succeeded));
        foreach (var b in new[] { 2, 4, 6, 10, 12 })
        foreach (var m in new[] { "dggrn", "resnet" })
            specs.Add((m, "NAMIC", b, 64, 2, 0, TrialState.Succeeded));
        foreach (var d in new[] { "BrainWeb", "NAMIC", "IXI" })
        foreach (var k in new[] { 32, 128 })
            specs.Add(("dggrn", d, 8, k, 2, 0, TrialState.Succeeded));
        Assert.Equal(34, specs.Count);
        Dggrn.Orchestrator.Infrastructure.Entities.ExperimentEntity e;
        await using (var db = app.NewDb()) e = await SeedData.ExperimentAsync(db, "bench-34x65x4", specs);

        await using (var conn = new NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var copy = await conn.BeginBinaryImportAsync("COPY metrics (trial_id, attempt, name, step, epoch, value, at) FROM STDIN (FORMAT BINARY)");
            foreach (var t in e.Trials)
            foreach (var name in Metrics)
            for (var epoch = 1; epoch <= 65; epoch++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(t.Id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
                await copy.WriteAsync(name, NpgsqlDbType.Text);
                await copy.WriteAsync((long)epoch * 100, NpgsqlDbType.Bigint);
                await copy.WriteAsync(epoch, NpgsqlDbType.Integer);
                await copy.WriteAsync(30 + Math.Log(epoch) + t.Blocks * 0.01, NpgsqlDbType.Double);
                await copy.WriteAsync(DateTimeOffset.UtcNow, NpgsqlDbType.TimestampTz);
            }
            await copy.CompleteAsync();
        }

        var page = await browser.SignedInPageAsync(app.BaseUrl, await app.CreateTokenAsync("viewer"));
        const int allPoints = 34 * 65;                       // per "all trials" panel
        var fig6Points = e.Trials.Count(t => t.Scale == 2 && t.Blocks == 8 && t.Filters == 64) * 65;
        var runs = new List<(double Html, double Interactive, double FirstDrawn, double AllDrawn)>();
        for (var run = 0; run < 6; run++)
        {
            var sw = Stopwatch.StartNew();
            await page.GotoAsync($"/experiments/{e.Id}", new() { WaitUntil = Microsoft.Playwright.WaitUntilState.DOMContentLoaded });
            var html = sw.Elapsed.TotalMilliseconds;
            await page.WaitForSelectorAsync("[data-testid=interactive]", new() { State = Microsoft.Playwright.WaitForSelectorState.Attached });
            var interactive = sw.Elapsed.TotalMilliseconds;
            await page.WaitForFunctionAsync("() => { const el = document.getElementById('all-test-psnr'); return !!(el && el.data && el.data.length); }",
                null, new() { PollingInterval = 5, Timeout = 30_000 });
            var first = sw.Elapsed.TotalMilliseconds;
            await page.WaitForFunctionAsync("""
                ([all, fig6]) => {
                  const n = id => { const el = document.getElementById(id); return el && el.data ? el.data.reduce((s, t) => s + t.x.length, 0) : -1; };
                  return ['all-test-psnr', 'all-test-ssim', 'all-train-epoch-loss', 'all-lr'].every(id => n(id) === all)
                    && ['fig6-brainweb', 'fig6-namic', 'fig6-ixi'].reduce((s, id) => s + n(id), 0) === fig6;
                }
                """, new object[] { allPoints, fig6Points }, new() { PollingInterval = 5, Timeout = 30_000 });
            var drawn = sw.Elapsed.TotalMilliseconds;
            if (run > 0) runs.Add((html, interactive, first, drawn)); // the first load warms the server's JIT and caches
        }
        await BrowserFixture.ScreenshotAsync(page, "benchmark-experiment-page");

        // Live latency: commit one epoch's batch for one trial (+ NOTIFY) until the open page has drawn it.
        var live = new List<double>();
        var trial = e.Trials.First(t => t.Tables.Contains("fig6"));
        for (var epoch = 66; epoch < 76; epoch++)
        {
            var sw = Stopwatch.StartNew();
            await SeedData.MetricsAsync(app.ConnectionString, trial.Id, "test/psnr", [(epoch, 35.0)]);
            await page.WaitForFunctionAsync("n => document.getElementById('all-test-psnr').data.reduce((s, t) => s + t.x.length, 0) === n",
                allPoints + epoch - 65, new() { PollingInterval = 5, Timeout = 30_000 });
            live.Add(sw.Elapsed.TotalMilliseconds);
        }
        double Median(IEnumerable<double> xs) { var s = xs.Order().ToArray(); return (s[(s.Length - 1) / 2] + s[s.Length / 2]) / 2; }
        var line = $"experiment page, 34 trials x 65 epochs x 4 series ({4 * allPoints + fig6Points} points): median of {runs.Count} warm loads: " +
                   $"HTML {Median(runs.Select(r => r.Html)):F0} ms, interactive {Median(runs.Select(r => r.Interactive)):F0} ms, " +
                   $"first chart drawn {Median(runs.Select(r => r.FirstDrawn)):F0} ms, " +
                   $"every point drawn {Median(runs.Select(r => r.AllDrawn)):F0} ms (max {runs.Max(r => r.AllDrawn):F0} ms); " +
                   $"live point commit-to-drawn median {Median(live):F0} ms (max {live.Max():F0} ms, {live.Count} batches)";
        output.WriteLine(line);
        await File.WriteAllTextAsync(Path.Combine(BrowserFixture.ScreenshotDir, "benchmark.txt"), line + "\n");
    }
}
