using Dggrn.Contracts.Api;
using System.Net;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>Compare across experiments and datasets in a real browser; the workers page over HTTP.</summary>
public sealed class CompareBrowserTests(DashboardFixture app, BrowserFixture browser)
    : IClassFixture<DashboardFixture>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Compare_overlays_curves_from_two_experiments_with_log_axis_config_diff_and_parallel_coordinates()
    {
        ExperimentEntity a, b;
        await using (var db = app.NewDb())
        {
            a = await SeedData.ExperimentAsync(db, "cmp-a", [("dggrn", "NAMIC", 8, 64, 2, 0, TrialState.Succeeded)]);
            b = await SeedData.ExperimentAsync(db, "cmp-b", [("dggrn", "IXI", 8, 128, 2, 0, TrialState.Succeeded)]);
        }
        var ta = a.Trials[0];
        var tb = b.Trials[0];
        await SeedData.MetricsAsync(app.ConnectionString, ta.Id, "test/psnr", [(1, 30.0), (2, 31.0), (3, 31.5)]);
        await SeedData.MetricsAsync(app.ConnectionString, tb.Id, "test/psnr", [(1, 33.0), (2, 34.0)]);

        var page = await browser.SignedInPageAsync(app.BaseUrl, await app.CreateTokenAsync("viewer"));
        await page.GotoAsync($"/compare?trials={ta.Id},{tb.Id}");
        await Assertions.Expect(page.GetByTestId("interactive")).ToHaveCountAsync(1);

        // Both trials' curves, every point, raw values (smoothing is off by default).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        int[] lengths = [];
        while (DateTime.UtcNow < deadline && !(lengths.Length == 2 && lengths.Sum() == 5))
            lengths = await page.EvaluateAsync<int[]>("() => (document.getElementById('compare-chart')?.data ?? []).map(t => t.x.length)");
        if (lengths.Sum() != 5) await BrowserFixture.ScreenshotAsync(page, "compare-failed");
        Assert.Equal(5, lengths.Sum());
        var ya = await page.EvaluateAsync<double[]>($"() => document.getElementById('compare-chart').data.find(t => t.name === '{ta.Key}').y");
        Assert.Equal(new[] { 30.0, 31.0, 31.5 }, ya);
        Assert.Equal("x unified", await page.EvaluateAsync<string>("() => document.getElementById('compare-chart').layout.hovermode"));

        // Log axis is applied in place.
        await page.GetByTestId("log-y").ClickAsync();
        var axisType = "";
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && axisType != "log")
            axisType = await page.EvaluateAsync<string>("() => document.getElementById('compare-chart').layout.yaxis.type");
        Assert.Equal("log", axisType);

        // The config diff lists what differs (filters, dataset name) and nothing that is equal (method, blocks).
        var diff = page.GetByTestId("config-diff");
        await Assertions.Expect(diff).ToContainTextAsync("filters");
        await Assertions.Expect(diff).ToContainTextAsync("dataset.name");
        var settings = await diff.Locator("tbody tr td:first-child").AllTextContentsAsync();
        Assert.DoesNotContain("method", settings);
        Assert.DoesNotContain("blocks", settings);

        // Parallel coordinates: dataset, filters and the final PSNR (last test/psnr: 31.5 and 34.0).
        await Assertions.Expect(page.Locator("#parcoords .parcoords")).ToHaveCountAsync(1);
        var dims = await page.EvaluateAsync<string[]>("() => document.getElementById('parcoords').data[0].dimensions.map(d => d.label)");
        Assert.Equal(new[] { "dataset", "filters", "final PSNR" }, dims);
        var final = await page.EvaluateAsync<double[]>("() => document.getElementById('parcoords').data[0].dimensions[2].values");
        Assert.Equal(new[] { 31.5, 34.0 }, final);
        await BrowserFixture.ScreenshotAsync(page, "compare");
    }

    [Fact]
    public async Task Workers_page_lists_devices_current_trials_and_heartbeat()
    {
        await using (var db = app.NewDb())
        {
            var e = await SeedData.ExperimentAsync(db, "workers-grid", [("dggrn", "NAMIC", 8, 64, 2, 0, TrialState.Running)]);
            var t = await db.Trials.SingleAsync(x => x.ExperimentId == e.Id);
            t.WorkerId = "gpu-box-1";
            db.Workers.Add(new WorkerEntity
            {
                Id = "gpu-box-1", Host = "gpu-box", Pid = 4242, Device = "cuda:0", Slots = 2, FreeSlots = 1,
                DevicesJson = """[{"name":"cuda:0","kind":"cuda","memoryBytes":25769803776,"slots":2}]""",
                RegisteredAt = DateTimeOffset.UtcNow.AddMinutes(-5), LastHeartbeatAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        using var http = app.NewClient();
        await http.GetAsync($"/signin?token={await app.CreateTokenAsync("viewer")}");
        var r = await http.GetAsync("/workers");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var html = await r.Content.ReadAsStringAsync();
        Assert.Contains("gpu-box-1", html);
        Assert.Contains("cuda:0 (24 GiB, 2 slots)", html);
        Assert.Contains("dggrn-n8-k64-x2-NAMIC-s0", html);
    }

    [Fact]
    public async Task Workers_page_shows_each_workers_numerics_check_and_why_a_refused_worker_takes_no_trials()
    {
        NumericsInfo Check(bool passed) => new(passed, passed ? "channels-last" : null, 2, "cpu", passed ? 7.8e-7 : double.PositiveInfinity, 1e-3,
            "AMD EPYC", "AuthenticAMD", 26, 2, "2.10.0", "0.107.0", "Intel(R) MKL-DNN v3.7.1 (Git Hash 8d263e6)", "AVX512", passed ? ["jit:avx512_core forward_training"] : [],
            [new("channels-last", passed ? 7.8e-7 : 0.03, "dggrn N=1 K=8 x3: output", passed, 0.5)], ["dggrn N=1 K=8 x3"],
            passed ? null : "numerics: float32 convolutions disagree with float64 on every path (channels-last: 3.0e-2 at dggrn N=1 K=8 x3: output)", 0.5, DateTimeOffset.UtcNow);
        await using (var db = app.NewDb())
        {
            foreach (var (id, passed) in new[] { ("zen5-good", true), ("zen5-bad", false) })
                db.Workers.Add(new WorkerEntity
                {
                    Id = id, Host = "zen5", Pid = 7, Device = "cpu", Slots = 1, FreeSlots = 1, DevicesJson = """[{"name":"cpu","kind":"cpu","memoryBytes":0,"slots":1}]""",
                    NumericsJson = System.Text.Json.JsonSerializer.Serialize(Check(passed), WireJson.Options), NumericsPassed = passed,
                    RegisteredAt = DateTimeOffset.UtcNow, LastHeartbeatAt = DateTimeOffset.UtcNow,
                });
            await db.SaveChangesAsync();
        }
        var page = await browser.SignedInPageAsync(app.BaseUrl, await app.CreateTokenAsync("viewer"));
        await page.GotoAsync("/workers");
        var good = page.Locator("[data-testid=workers] tr", new() { HasText = "zen5-good" });
        var bad = page.Locator("[data-testid=workers] tr", new() { HasText = "zen5-bad" });
        await Assertions.Expect(good.GetByTestId("numerics")).ToContainTextAsync("channels-last agrees with float64");
        await Assertions.Expect(good.GetByTestId("numerics")).ToContainTextAsync("AMD EPYC (family 26) · libtorch 2.10.0 · oneDNN v3.7.1 · AVX512");
        await Assertions.Expect(good.GetByTestId("worker-state")).ToHaveTextAsync("Active");
        await Assertions.Expect(bad.GetByTestId("worker-state")).ToHaveTextAsync("Refused");
        await Assertions.Expect(bad.GetByTestId("numerics-reason")).ToContainTextAsync("float32 convolutions disagree with float64 on every path");
        await Assertions.Expect(bad.GetByTestId("numerics-paths")).ToContainTextAsync("WRONG");
        await BrowserFixture.ScreenshotAsync(page, "workers-numerics");
    }
}
