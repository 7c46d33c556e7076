using Dggrn.Contracts.Trials;
using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>The experiment page in a real browser: matrix, live Figure 6 curves, legend toggling.</summary>
public sealed class LiveCurveBrowserTests(DashboardFixture app, BrowserFixture browser)
    : IClassFixture<DashboardFixture>, IClassFixture<BrowserFixture>
{
    static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> ok, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        T last;
        do
        {
            last = await probe();
            if (ok(last)) return last;
            await Task.Yield();
        } while (DateTime.UtcNow < deadline);
        throw new Xunit.Sdk.XunitException($"timed out after {seconds} s waiting for {what}; last value: {last}");
    }

    static Task<int> PointCountAsync(IPage page, string chartId) => page.EvaluateAsync<int>(
        "id => { const el = document.getElementById(id); return el && el.data ? el.data.reduce((n, t) => n + t.x.length, 0) : -1; }", chartId);

    [Fact]
    public async Task Curve_points_grow_as_metric_rows_are_written_and_notified()
    {
        Dggrn.Orchestrator.Infrastructure.Entities.ExperimentEntity e;
        await using (var db = app.NewDb())
            e = await SeedData.ExperimentAsync(db, "live-grid",
            [
                ("dggrn", "NAMIC", 8, 64, 2, 0, TrialState.Running), ("resnet", "NAMIC", 8, 64, 2, 0, TrialState.Running),
                ("dggrn", "BrainWeb", 8, 64, 2, 0, TrialState.Pending), ("resnet", "BrainWeb", 8, 64, 2, 0, TrialState.Succeeded),
            ]);
        var dggrn = e.Trials.Single(t => t.Method == "dggrn" && t.Dataset == "NAMIC");
        var resnet = e.Trials.Single(t => t.Method == "resnet" && t.Dataset == "NAMIC");
        await SeedData.MetricsAsync(app.ConnectionString, dggrn.Id, "test/psnr", [(1, 30.0), (2, 32.5)]);
        await SeedData.MetricsAsync(app.ConnectionString, resnet.Id, "test/psnr", [(1, 29.0)]);

        var page = await browser.SignedInPageAsync(app.BaseUrl, await app.CreateTokenAsync("viewer"));
        await page.GotoAsync($"/experiments/{e.Id}");
        await Assertions.Expect(page.GetByTestId("experiment-title")).ToHaveTextAsync("live-grid");
        await Assertions.Expect(page.GetByTestId("trial-matrix")).ToContainTextAsync("BrainWeb");

        await EventuallyAsync(() => PointCountAsync(page, "fig6-namic"), n => n == 3, "the history (3 points) to be drawn");

        // Play the worker + orchestrator: one batch per epoch, NOTIFY after commit.
        for (var epoch = 3; epoch <= 6; epoch++)
        {
            await SeedData.MetricsAsync(app.ConnectionString, dggrn.Id, "test/psnr", [(epoch, 32 + epoch * 0.5)]);
            var expected = 3 + (epoch - 2);
            await EventuallyAsync(() => PointCountAsync(page, "fig6-namic"), n => n == expected, $"{expected} points after epoch {epoch}", 5);
        }
        var ys = await page.EvaluateAsync<double[]>("() => document.getElementById('fig6-namic').data.find(t => t.name === 'DGGRN').y");
        Assert.Equal([30.0, 32.5, 33.5, 34.0, 34.5, 35.0], ys);
        await BrowserFixture.ScreenshotAsync(page, "experiment-live");

        // Legend toggling: clicking the ResNet entry hides that trace (Plotly sets visible = 'legendonly').
        await page.Locator("#fig6-namic .legend .traces").Filter(new() { HasText = "ResNet" }).ClickAsync();
        await EventuallyAsync(() => page.EvaluateAsync<string>(
                "() => String(document.getElementById('fig6-namic').data.find(t => t.name === 'ResNet').visible)"),
            v => v == "legendonly", "the ResNet trace to be hidden");
    }

    [Fact]
    public async Task Points_written_without_notify_arrive_by_polling()
    {
        Dggrn.Orchestrator.Infrastructure.Entities.ExperimentEntity e;
        await using (var db = app.NewDb())
            e = await SeedData.ExperimentAsync(db, "poll-grid", [("dggrn", "IXI", 8, 64, 2, 0, TrialState.Running), ("resnet", "IXI", 8, 64, 2, 0, TrialState.Running)]);
        var page = await browser.SignedInPageAsync(app.BaseUrl, await app.CreateTokenAsync("viewer"));
        await page.GotoAsync($"/experiments/{e.Id}");
        // Before any point the panel says why it is empty instead of drawing axes.
        await Assertions.Expect(page.GetByTestId("fig6-ixi").GetByTestId("chart-empty"))
            .ToHaveTextAsync("Test PSNR appears after the first evaluation, at the end of epoch 1 (2 trials running).");
        await SeedData.MetricsAsync(app.ConnectionString, e.Trials[0].Id, "test/psnr", [(1, 31.0), (2, 31.5)], notify: false);
        await EventuallyAsync(() => PointCountAsync(page, "fig6-ixi"), n => n == 2, "2 points by the 1 s poll", 5);
        await Assertions.Expect(page.GetByTestId("fig6-ixi").GetByTestId("chart-empty")).ToHaveCountAsync(0);
    }
}
