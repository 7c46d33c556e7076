using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>Compare's "only differences" in a real browser: the config diff and the runs table hide every setting the
/// selected runs share, environment included, and show everything when it is switched off.</summary>
public sealed class CompareDifferencesBrowserTests(DashboardFixture app, BrowserFixture browser)
    : IClassFixture<DashboardFixture>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Only_differences_hides_what_every_run_shares_environment_included()
    {
        Dggrn.Orchestrator.Infrastructure.Entities.ExperimentEntity e;
        await using (var db = app.NewDb())
            e = await SeedData.ExperimentAsync(db, "cmp-diff",
                [.. new[] { 0, 1, 2 }.Select(s => ("dggrn", "NAMIC", 8, 64, 2, s, TrialState.Succeeded))]);
        // Three seeds of one cell: the same everything except the seed, the host one ran on, and the result.
        var hosts = new[] { "gpu-1", "gpu-1", "gpu-2" };
        await using (var db = app.NewDb())
            foreach (var (t, i) in e.Trials.OrderBy(t => t.Seed).Select((t, i) => (t, i)))
            {
                var env = new TrialEnvironment(hosts[i], "w-1", "cuda:0", 4, "10.0.3", "Debian GNU/Linux 12", "1.0.0", null);
                var result = new EvalResult { Method = "dggrn", Scale = 2, Overall = new AxisResult { Slices = 3, Psnr = 37.1 + 0.1 * i, Ssim = 0.93 } };
                await db.Trials.Where(x => x.Id == t.Id).ExecuteUpdateAsync(u => u
                    .SetProperty(x => x.EnvironmentJson, JsonSerializer.Serialize(env, WireJson.Options))
                    .SetProperty(x => x.ResultJson, JsonSerializer.Serialize(result, WireJson.Options))
                    .SetProperty(x => x.Epoch, 65).SetProperty(x => x.Seconds, 3600));
            }

        var page = await browser.SignedInPageAsync(app.BaseUrl, await app.CreateTokenAsync("viewer"));
        await page.GotoAsync($"/compare?trials={string.Join(",", e.Trials.Select(t => t.Id))}");
        await Assertions.Expect(page.GetByTestId("interactive")).ToHaveCountAsync(1);

        // Only what differs: the seed, the host (environment), and the final PSNR (outcome).
        var diff = page.GetByTestId("config-diff");
        await Assertions.Expect(diff.Locator("tbody tr")).ToHaveCountAsync(2);
        Assert.Equal(["environment.host", "seed"], await diff.Locator("tbody tr td:first-child").AllTextContentsAsync());
        var runs = page.GetByTestId("runs-table");
        await Assertions.Expect(runs.GetByTestId("runs-column")).ToHaveCountAsync(3);
        Assert.Equal(["run.psnr", "environment.host", "seed"],
            await runs.GetByTestId("runs-column").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.path)"));
        var firstRun = await runs.Locator("tbody tr").First.Locator("td").AllTextContentsAsync();
        Assert.Equal(["dggrn-n8-k64-x2-NAMIC-s0", "37.1", "gpu-1", "0"], firstRun);
        await Assertions.Expect(page.GetByTestId("runs-hidden")).ToContainTextAsync("3 of ");

        // Everything: shared settings come back (method, runtime, device, state), and the differing ones stay marked.
        await page.GetByTestId("only-differences").ClickAsync();
        await Assertions.Expect(diff.Locator("tbody tr", new() { HasText = "environment.runtime" })).ToHaveAttributeAsync("data-differs", "false");
        await Assertions.Expect(diff.Locator("tbody tr", new() { HasText = "environment.host" })).ToHaveAttributeAsync("data-differs", "true");
        var paths = await runs.GetByTestId("runs-column").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.path)");
        Assert.Contains("method", paths);
        Assert.Contains("environment.device", paths);
        Assert.Contains("run.state", paths);
        Assert.True(paths.Length > 20, $"every column: {paths.Length}");
        await BrowserFixture.ScreenshotAsync(page, "compare-all-columns");
    }
}
