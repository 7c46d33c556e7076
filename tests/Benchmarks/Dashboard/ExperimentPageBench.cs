using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Auth;
using Dggrn.Dashboard.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Npgsql;
using NpgsqlTypes;

namespace Dggrn.Benchmarks.Dashboard;

/// <summary>
/// `dggrn bench dashboard`: the experiment page of a paper-sized grid in a real browser. 34 trials, each with 100,000
/// per-step training-loss points and 65 epochs of four per-epoch series, on a fresh database of the given PostgreSQL
/// server (rollups kept by its triggers as the rows are copied in); the real dashboard in this process; Debian's chromium
/// through Playwright. Measures each warm load (HTML, circuit interactive, every chart drawn) and each zoom of the per-step
/// chart (relayout to the new range drawn), and prints one line per figure.
/// </summary>
/// <remarks>Options: --pg CONNSTR (or DGGRN_BENCH_PG), --trials N (34), --points N (100000), --epochs N (65), --loads N (6),
/// --zooms N (10), --chromium PATH (/usr/bin/chromium or DGGRN_CHROMIUM). The database is dropped afterwards.</remarks>
public static class ExperimentPageBench
{
    static readonly string[] EpochMetrics = ["test/psnr", "test/ssim", "train/epoch_loss", "lr"];

    /// <summary>Runs the benchmark; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        string? Opt(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Int(string name, int fallback) => Opt(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var pg = Opt("--pg") ?? Environment.GetEnvironmentVariable("DGGRN_BENCH_PG");
        if (string.IsNullOrEmpty(pg))
        {
            Console.Error.WriteLine("dggrn bench dashboard: give a PostgreSQL server with --pg CONNSTR (or set DGGRN_BENCH_PG); a fresh database is created on it and dropped afterwards");
            return 2;
        }
        var chromium = Opt("--chromium") ?? Environment.GetEnvironmentVariable("DGGRN_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            Console.Error.WriteLine($"dggrn bench dashboard: chromium not found at {chromium} (apt-get install chromium, or --chromium PATH)");
            return 2;
        }
        int trials = Int("--trials", 34), points = Int("--points", 100_000), epochs = Int("--epochs", 65), loads = Int("--loads", 6), zooms = Int("--zooms", 10);

        var dbName = $"bench_dash_{Guid.NewGuid():N}";
        await ExecAsync(pg, $"CREATE DATABASE \"{dbName}\"");
        var cs = new NpgsqlConnectionStringBuilder(pg) { Database = dbName }.ConnectionString;
        WebApplication? app = null;
        try
        {
            var options = new DbContextOptionsBuilder<LabDbContext>();
            LabDbContext.Configure(options, cs);
            await using (var db = new LabDbContext(options.Options)) await db.Database.MigrateAsync();
            var (experiment, token, seeding) = await SeedAsync(options.Options, cs, trials, points, epochs);
            Console.WriteLine($"seeded {trials} trials x {points:N0} train/loss points + {epochs} epochs x {EpochMetrics.Length} series: " +
                              $"{seeding.Rows:N0} rows by COPY in {seeding.Seconds:F1} s ({seeding.Rows / seeding.Seconds:N0} rows/s, rollups included)");

            app = DashboardHost.Create([], new Dictionary<string, string?>
            {
                ["ConnectionStrings:Lab"] = cs, ["Urls"] = "http://127.0.0.1:0", ["Logging:LogLevel:Default"] = "Error",
            });
            await app.StartAsync();
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium, Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.Urls.First(), ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
            context.SetDefaultTimeout(60_000);
            // Times every Plotly.newPlot/react of the per-step chart in the browser (how long plotly.js itself draws).
            await context.AddInitScriptAsync("""
                (() => {
                  let real;
                  window.dggrnDraws = [];
                  const wrap = f => function (gd, ...rest) {
                    const id = typeof gd === 'string' ? gd : gd && gd.id;
                    const t0 = performance.now();
                    const r = f.call(this, gd, ...rest);
                    if (id === 'all-train-loss') Promise.resolve(r).then(() => window.dggrnDraws.push(performance.now() - t0));
                    return r;
                  };
                  Object.defineProperty(window, 'Plotly', { configurable: true, get: () => real, set: v => {
                    real = v; if (v && !v.dggrnWrapped) { v.newPlot = wrap(v.newPlot); v.react = wrap(v.react); v.dggrnWrapped = true; } } });
                })();
                """);
            var page = await context.NewPageAsync();
            await page.GotoAsync($"/signin?token={token}");

            var fig6 = experiment.Trials.Count(t => t.Tables.Contains("fig6")) * epochs;
            var runs = new List<(double Html, double Interactive, double StepChart, double All)>();
            for (var run = 0; run <= loads; run++)
            {
                var sw = Stopwatch.StartNew();
                await page.GotoAsync($"/experiments/{experiment.Id}", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
                var html = sw.Elapsed.TotalMilliseconds;
                await page.WaitForSelectorAsync("[data-testid=interactive]", new() { State = WaitForSelectorState.Attached });
                var interactive = sw.Elapsed.TotalMilliseconds;
                await page.WaitForFunctionAsync("n => { const el = document.getElementById('all-train-loss'); return !!(el && el.data && el.data.length === n && el.data.every(t => t.x.length > 0)); }",
                    trials, new() { PollingInterval = 5 });
                var stepChart = sw.Elapsed.TotalMilliseconds;
                await page.WaitForFunctionAsync("""
                    ([all, fig6]) => {
                      const n = id => { const el = document.getElementById(id); return el && el.data ? el.data.reduce((s, t) => s + t.x.length, 0) : -1; };
                      return ['all-test-psnr', 'all-test-ssim', 'all-train-epoch-loss', 'all-lr'].every(id => n(id) === all)
                        && ['fig6-brainweb', 'fig6-namic', 'fig6-ixi'].reduce((s, id) => s + Math.max(0, n(id)), 0) === fig6;
                    }
                    """, new object[] { trials * epochs, fig6 }, new() { PollingInterval = 5 });
                var all = sw.Elapsed.TotalMilliseconds;
                // The first load warms the server's JIT, its caches and PostgreSQL's buffers; it is not reported.
                if (run > 0) runs.Add((html, interactive, stepChart, all));
            }
            var drawn = await page.EvaluateAsync<int>("() => document.getElementById('all-train-loss').data.reduce((s, t) => s + t.x.length, 0)");
            var loadDraws = await page.EvaluateAsync<double[]>("() => window.dggrnDraws.splice(0)");

            // Zooms: random ranges of the per-step chart, each from relayout to the new range's points drawn.
            var random = new Random(17);
            var zoomMs = new List<double>();
            var zoomPoints = new List<int>();
            for (var z = 0; z < zooms; z++)
            {
                var width = (long)(points * Math.Pow(0.5, random.Next(0, 12)));
                var lo = (long)random.NextInt64(1, Math.Max(2, points - width));
                var hi = Math.Min(points, lo + Math.Max(50, width));
                var sw = Stopwatch.StartNew();
                await page.EvaluateAsync("([lo, hi]) => Plotly.relayout('all-train-loss', { 'xaxis.range': [lo, hi] })", new[] { lo, hi });
                await page.WaitForFunctionAsync("p => (document.getElementById('all-train-loss-panel').dataset.view || '').startsWith(p)",
                    string.Create(CultureInfo.InvariantCulture, $"{lo}:{hi}:"), new() { PollingInterval = 5 });
                zoomMs.Add(sw.Elapsed.TotalMilliseconds);
                zoomPoints.Add(await page.EvaluateAsync<int>("() => document.getElementById('all-train-loss').data.reduce((s, t) => s + t.x.length, 0)"));
            }

            static double Median(IEnumerable<double> xs) { var s = xs.Order().ToArray(); return (s[(s.Length - 1) / 2] + s[s.Length / 2]) / 2; }
            var epochPoints = 4 * trials * epochs + fig6;
            Console.WriteLine($"experiment page, {trials} trials x {points:N0} train/loss points + {epochs} epochs x 4 series, median of {runs.Count} warm loads (max):");
            Console.WriteLine($"  HTML (DOMContentLoaded)        {Median(runs.Select(r => r.Html)):F0} ms ({runs.Max(r => r.Html):F0})");
            Console.WriteLine($"  circuit interactive            {Median(runs.Select(r => r.Interactive)):F0} ms ({runs.Max(r => r.Interactive):F0})");
            Console.WriteLine($"  per-step chart drawn           {Median(runs.Select(r => r.StepChart)):F0} ms ({runs.Max(r => r.StepChart):F0}): {drawn:N0} points for {(long)trials * points:N0} recorded");
            Console.WriteLine($"  every chart drawn              {Median(runs.Select(r => r.All)):F0} ms ({runs.Max(r => r.All):F0}), {epochPoints:N0} per-epoch points besides");
            Console.WriteLine($"  of which plotly.js drawing it   {Median(loadDraws):F0} ms ({loadDraws.Max():F0}) in the browser, last load");
            var zoomDraws = await page.EvaluateAsync<double[]>("() => window.dggrnDraws.splice(0)");
            Console.WriteLine($"  zoom of the per-step chart     {Median(zoomMs):F0} ms ({zoomMs.Max():F0}) from relayout to the new range drawn, {zooms} random ranges, {zoomPoints.Min():N0}-{zoomPoints.Max():N0} points each; plotly.js redraw {Median(zoomDraws.DefaultIfEmpty()):F0} ms");
            return 0;
        }
        finally
        {
            if (app is not null) { await app.StopAsync(); await app.DisposeAsync(); }
            NpgsqlConnection.ClearAllPools();
            await ExecAsync(pg, $"DROP DATABASE IF EXISTS \"{dbName}\" WITH (FORCE)");
        }
    }

    static async Task<(ExperimentEntity, string Token, (long Rows, double Seconds))> SeedAsync(DbContextOptions<LabDbContext> options, string cs,
        int trials, int points, int epochs)
    {
        // The paper grid's shape: 3 datasets x 3 scales x DGGRN/ResNet, then block and filter ablations, up to `trials`.
        var specs = new List<(string Method, string Dataset, int Blocks, int Filters, int Scale)>();
        foreach (var d in new[] { "BrainWeb", "NAMIC", "IXI" })
        foreach (var s in new[] { 2, 3, 4 })
        foreach (var m in new[] { "dggrn", "resnet" })
            specs.Add((m, d, 8, 64, s));
        foreach (var b in new[] { 2, 4, 6, 10, 12 })
        foreach (var m in new[] { "dggrn", "resnet" })
            specs.Add((m, "NAMIC", b, 64, 2));
        foreach (var d in new[] { "BrainWeb", "NAMIC", "IXI" })
        foreach (var k in new[] { 32, 128 })
            specs.Add(("dggrn", d, 8, k, 2));
        for (var extra = 1; specs.Count < trials; extra++) specs.Add(("dggrn", "NAMIC", 8, 64, 2 + extra));
        var now = DateTimeOffset.UtcNow;
        var e = new ExperimentEntity { Id = Guid.NewGuid(), Name = $"bench-{trials}x{points}", Owner = "bench", State = ExperimentState.Succeeded, CreatedAt = now };
        foreach (var (m, d, b, k, s) in specs.Take(trials))
        {
            var config = new TrialConfig
            {
                Method = m, Blocks = b, Filters = k, Scale = s,
                Dataset = new DatasetRef { Name = d, Train = ["phantom:seed=1"], Test = ["phantom:seed=2"], ContentHash = "bench" },
            };
            e.Trials.Add(new TrialEntity
            {
                Id = Guid.NewGuid(), Key = $"{m}-n{b}-k{k}-x{s}-{d}-s0", Identity = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                Method = m, Dataset = d, Blocks = b, Filters = k, Scale = s, Tables = s == 2 && b == 8 && k == 64 ? ["1", "fig6"] : ["1"],
                ConfigJson = JsonSerializer.Serialize(config, Contracts.Api.WireJson.Options), State = TrialState.Succeeded, Attempt = 1,
                CreatedAt = now, UpdatedAt = now, StartedAt = now, FinishedAt = now, Epoch = epochs, Step = points,
            });
        }
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await using (var db = new LabDbContext(options))
        {
            db.Experiments.Add(e);
            db.ApiTokens.Add(new ApiTokenEntity { Id = Guid.NewGuid(), Name = "bench-viewer", Role = "viewer", TokenHash = TokenSignIn.Hash(secret), CreatedAt = now });
            await db.SaveChangesAsync();
        }

        var sw = Stopwatch.StartNew();
        long rows = 0;
        var stepsPerEpoch = Math.Max(1, points / epochs);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        foreach (var t in e.Trials)
        {
            // One COPY per trial, as the orchestrator's large batches arrive; the triggers build its rollups at the end of each.
            await using var copy = await conn.BeginBinaryImportAsync("COPY metrics (trial_id, attempt, name, step, epoch, value, at) FROM STDIN (FORMAT BINARY)");
            async Task Row(string name, long step, int epoch, double value)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(t.Id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
                await copy.WriteAsync(name, NpgsqlDbType.Text);
                await copy.WriteAsync(step, NpgsqlDbType.Bigint);
                await copy.WriteAsync(epoch, NpgsqlDbType.Integer);
                await copy.WriteAsync(value, NpgsqlDbType.Double);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                rows++;
            }
            for (long s = 1; s <= points; s++)
                await Row("train/loss", s, (int)Math.Min(epochs, s / stepsPerEpoch + 1), 1.0 / (1 + s / 1000.0) + 0.002 * Math.Sin(s * 0.37 + t.Blocks));
            foreach (var name in EpochMetrics)
                for (var epoch = 1; epoch <= epochs; epoch++)
                    await Row(name, (long)epoch * stepsPerEpoch, epoch, name == "lr" ? 1e-4 : 30 + Math.Log(epoch) + t.Blocks * 0.01);
            await copy.CompleteAsync();
        }
        return (e, secret, (rows, sw.Elapsed.TotalSeconds));
    }

    static async Task ExecAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
