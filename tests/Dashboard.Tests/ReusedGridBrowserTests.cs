using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>
/// A grid submitted twice against the real orchestrator (issue 19): the second submission reuses every trial, and its
/// pages, API answers and reports must show what the first one shows. Before any point, charts and tables say what is
/// missing and when it comes, and fill in without a reload.
/// </summary>
public sealed class ReusedGridBrowserTests(LabFixture lab, BrowserFixture browser) : IClassFixture<LabFixture>, IClassFixture<BrowserFixture>
{
    const int Epochs = 3;

    // Each test submits its own seed, so the tests never reuse each other's trials.
    static string Spec(int seed) => $$"""
        name: reuse-grid-s{{seed}}
        datasets:
          - name: IXI
            train: ["phantom:seed=1"]
            test: ["phantom:seed=2"]
        training: { epochs: {{Epochs}} }
        grid:
          - tables: ["1", "fig6"]
            methods: [dggrn, resnet]
            blocks: [2]
            filters: [16]
            scale: [2]
            seed: [{{seed}}]
        """;

    static readonly string[] Charts = ["fig6-ixi", "all-test-psnr", "all-test-ssim", "all-train-epoch-loss", "all-lr"];

    async Task<SubmitResponse> SubmitAsync(int seed)
    {
        using var submitter = lab.Api(await lab.TokenAsync("submitter"));
        return (await (await submitter.PostAsJsonAsync("/api/experiments", new SubmitRequest(Spec(seed), null), LabFixture.Json))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<SubmitResponse>(LabFixture.Json))!;
    }

    // Trains the submitted grid through the worker API: every epoch of both trials, then completes them.
    static async Task RunAsync(WorkerPlay worker, LeaseGrant[] grants)
    {
        for (var epoch = 1; epoch <= Epochs; epoch++)
            foreach (var g in grants) await worker.EpochAsync(g, epoch, Psnr(g, epoch));
        foreach (var g in grants) await worker.CompleteAsync(g, Epochs, Psnr(g, Epochs));
    }

    static double Psnr(LeaseGrant g, int epoch) => (g.Config.Method == "dggrn" ? 30 : 29) + epoch * 0.5;

    // Per chart: the drawn traces that have points, by legend name, with their y values.
    static Task<Dictionary<string, Dictionary<string, double[]>>> DrawnAsync(IPage page) =>
        page.EvaluateAsync<Dictionary<string, Dictionary<string, double[]>>>("""
            ids => Object.fromEntries(ids.map(id => {
              const el = document.getElementById(id);
              return [id, Object.fromEntries((el && el.data ? el.data : []).filter(t => t.x.length > 0).map(t => [t.name, t.y]))];
            }))
            """, Charts);

    static Task<int> PointsAsync(IPage page, string chart) => page.EvaluateAsync<int>(
        "id => { const el = document.getElementById(id); return el && el.data ? el.data.reduce((n, t) => n + t.x.length, 0) : -1; }", chart);

    static async Task EventuallyAsync(Func<Task<bool>> ok, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await ok())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out after {seconds} s waiting for {what}");
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Empty_charts_and_tables_say_what_is_missing_and_fill_in_live()
    {
        var submitted = await SubmitAsync(0);
        var page = await browser.SignedInPageAsync(lab.DashboardUrl, await lab.TokenAsync("viewer"));
        await page.GotoAsync($"/experiments/{submitted.Id}");
        await Assertions.Expect(page.GetByTestId("interactive")).ToHaveCountAsync(1);

        // No worker yet: every chart says what it waits for, with no axes drawn.
        var fig6 = page.GetByTestId("fig6-ixi");
        await Assertions.Expect(fig6.GetByTestId("chart-empty")).ToHaveTextAsync(
            "Test PSNR appears after the first evaluation, at the end of epoch 1, once a trial starts (2 trials waiting for a worker).");
        await Assertions.Expect(page.GetByTestId("all-lr").GetByTestId("chart-empty")).ToHaveTextAsync(
            "Learning rate appears at the end of epoch 1, once a trial starts (2 trials waiting for a worker).");
        await Assertions.Expect(page.Locator(".js-plotly-plot")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("table-empty-1")).ToHaveTextAsync(
            "Table 1 fills in as its 2 trials finish: the first measured values appear when one succeeds (2 waiting).");
        await Assertions.Expect(page.GetByTestId("report-table-1")).Not.ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "empty-states-waiting");

        // Trials start: the text follows them, still without a reload.
        using var worker = await WorkerPlay.RegisterAsync(lab);
        var grants = await worker.LeaseAndStartAsync(2);
        await Assertions.Expect(fig6.GetByTestId("chart-empty")).ToHaveTextAsync(
            "Test PSNR appears after the first evaluation, at the end of epoch 1 (2 trials running).");

        // The first evaluation draws the chart in place of the text.
        await worker.EpochAsync(grants[0], 1, Psnr(grants[0], 1));
        await EventuallyAsync(async () => await PointsAsync(page, "fig6-ixi") == 1, "the first point on the Figure 6 panel");
        await Assertions.Expect(fig6.GetByTestId("chart-empty")).ToHaveCountAsync(0);
        await worker.EpochAsync(grants[1], 1, Psnr(grants[1], 1));
        await EventuallyAsync(async () => await PointsAsync(page, "fig6-ixi") == 2, "both trials' first points");

        // Finishing fills Table 1 with measured values, again in place.
        await RunAsync(worker, grants);
        await Assertions.Expect(page.GetByTestId("table-empty-1")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=report-table-1] td.measured", new() { HasTextString = "31.50" })).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(page, "empty-states-filled");
    }

    [Fact]
    public async Task A_fully_reused_grid_draws_as_many_traces_as_the_original_with_its_images_checkpoints_and_log()
    {
        var first = await SubmitAsync(1);
        using (var worker = await WorkerPlay.RegisterAsync(lab)) await RunAsync(worker, await worker.LeaseAndStartAsync(2));
        var second = await SubmitAsync(1);
        Assert.Equal((2, 2), (second.Trials, second.Reused));

        var page = await browser.SignedInPageAsync(lab.DashboardUrl, await lab.TokenAsync("viewer"));
        await page.GotoAsync($"/experiments/{first.Id}");
        // Each chart has both trials' curves: Figure 6 (DGGRN, ResNet) and the four all-trials charts.
        await EventuallyAsync(async () => (await DrawnAsync(page)).Values.All(c => c.Count == 2), "both curves on every chart of the original");
        var original = await DrawnAsync(page);

        await page.GotoAsync($"/experiments/{second.Id}");
        await Assertions.Expect(page.GetByTestId("experiment-title")).ToHaveTextAsync("reuse-grid-s1");
        await EventuallyAsync(async () => (await DrawnAsync(page)).Values.Sum(c => c.Count) == 10, "the reused grid's 10 curves");
        var reused = await DrawnAsync(page);
        Assert.Equal(original.Keys, reused.Keys);
        foreach (var chart in Charts)
        {
            Assert.Equal(original[chart].Keys.Order(), reused[chart].Keys.Order());
            foreach (var (name, y) in original[chart]) Assert.Equal(y, reused[chart][name]);
        }
        Assert.Equal(new[] { 30.5, 31.0, 31.5 }, reused["fig6-ixi"]["DGGRN"]);

        // Marked as reused, each with a link to its original.
        using var admin = lab.Api(LabFixture.AdminToken);
        var firstTrials = (await admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{first.Id}", LabFixture.Json))!.Trials;
        var secondTrials = (await admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{second.Id}", LabFixture.Json))!.Trials;
        await Assertions.Expect(page.GetByTestId("reused-trial")).ToHaveCountAsync(2);
        var links = await page.GetByTestId("reused-note").GetByTestId("reused-from-link").EvaluateAllAsync<string[]>("els => els.map(a => a.getAttribute('href'))");
        Assert.Equal(firstTrials.Select(t => $"/trials/{t.Id}").Order(), links.Order());
        await Assertions.Expect(page.GetByTestId("reused-tag")).ToHaveCountAsync(2);
        // Table 1 is the original's; Table 2 has no trial in this grid and says so.
        await Assertions.Expect(page.Locator("[data-testid=report-table-1] td.measured", new() { HasTextString = "31.50" })).ToHaveCountAsync(1);
        await page.GetByText("Table 2", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("table-empty-2")).ToHaveTextAsync(
            "Table 2 has no measured values: no trial of this grid feeds it (a grid block with tables: [\"2\"] does).");
        await BrowserFixture.ScreenshotAsync(page, "reused-experiment");

        // The reused DGGRN trial's page: the original's curves, images, checkpoints, environment and log, and a link to it.
        var dggrn = secondTrials.Single(t => t.Method == "dggrn");
        var dggrnOriginal = firstTrials.Single(t => t.Method == "dggrn");
        Assert.Equal(dggrnOriginal.Id, dggrn.ReusedFrom);
        await page.GotoAsync($"/trials/{dggrn.Id}");
        await Assertions.Expect(page.GetByTestId("reused-banner").GetByTestId("reused-from-link")).ToHaveAttributeAsync("href", $"/trials/{dggrnOriginal.Id}");
        await EventuallyAsync(async () => await PointsAsync(page, "trial-psnr") == Epochs && await PointsAsync(page, "trial-loss") == 4 * Epochs,
            "the original's PSNR per epoch and loss per step on the reused trial's page");
        // Retention kept the newest (and best) of the original's checkpoints; the reused trial lists exactly those.
        var kept = await admin.GetFromJsonAsync<CheckpointInfo[]>($"/api/trials/{dggrnOriginal.Id}/checkpoints", LabFixture.Json);
        await Assertions.Expect(page.Locator("[data-testid=checkpoints] tbody tr")).ToHaveCountAsync(kept!.Length);
        await Assertions.Expect(page.GetByTestId("log-tail")).ToContainTextAsync("epoch 3 test psnr 31.50 dB");
        await Assertions.Expect(page.GetByTestId("trial-environment")).ToContainTextAsync("on play-host");
        var sr = page.Locator("[data-testid=example-images] img[data-kind='sr']");
        await Assertions.Expect(sr).ToHaveCountAsync(1);
        await sr.ScrollIntoViewIfNeededAsync();
        await EventuallyAsync(() => sr.EvaluateAsync<bool>("i => i.complete && i.naturalWidth === 16"), "the original's SR image to decode");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=checkpoints] a[download]").First.ClickAsync());
        Assert.Equal($"{dggrn.Key}-attempt1-epoch{Epochs}.ckpt", download.SuggestedFilename);
        Assert.Equal(64, new FileInfo((await download.PathAsync())!).Length);
        await BrowserFixture.ScreenshotAsync(page, "reused-trial");

        // Compare: the original and its reuse overlay exactly, told apart in the legend.
        await page.GotoAsync($"/compare?trials={dggrnOriginal.Id},{dggrn.Id}");
        await EventuallyAsync(async () => await PointsAsync(page, "compare-chart") == 2 * Epochs, "both trials' curves in Compare");
        var compared = await page.EvaluateAsync<Dictionary<string, double[]>>(
            "() => Object.fromEntries(document.getElementById('compare-chart').data.map(t => [t.name, t.y]))");
        Assert.Equal(2, compared.Count);
        Assert.Single(compared.Keys, k => k.EndsWith("(reused)", StringComparison.Ordinal));
        Assert.Equal(compared.Values.First(), compared.Values.Last());
    }

    [Fact]
    public async Task Reused_trials_carry_the_originals_series_timings_and_results_through_the_api_and_the_reports()
    {
        var first = await SubmitAsync(2);
        using (var worker = await WorkerPlay.RegisterAsync(lab)) await RunAsync(worker, await worker.LeaseAndStartAsync(2));
        var second = await SubmitAsync(2);
        using var viewer = lab.Api(await lab.TokenAsync("viewer"));
        var originals = (await viewer.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{first.Id}", LabFixture.Json))!.Trials.ToDictionary(t => t.Id);
        var reused = (await viewer.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{second.Id}", LabFixture.Json))!.Trials;
        Assert.Equal(2, reused.Length);
        foreach (var t in reused)
        {
            var o = originals[Assert.IsType<Guid>(t.ReusedFrom)];
            Assert.Equal(("Succeeded", 0, (string?)null), (t.State, t.Attempts, t.Worker));
            Assert.Equal((o.Epoch, o.BestPsnr, o.StartedAt, o.FinishedAt, o.Seconds), (t.Epoch, t.BestPsnr, t.StartedAt, t.FinishedAt, t.Seconds));
            Assert.NotNull(t.StartedAt);
            Assert.Equal(42.5, t.Seconds);
            Assert.Equal(o.Metrics, t.Metrics);
            Assert.Equal("play-host", t.Environment?.Host);

            // The series and checkpoints are the original's, through the same routes.
            var series = await viewer.GetFromJsonAsync<TrialMetrics>($"/api/trials/{t.Id}/metrics", LabFixture.Json);
            var originalSeries = await viewer.GetFromJsonAsync<TrialMetrics>($"/api/trials/{o.Id}/metrics", LabFixture.Json);
            Assert.Equal(o.Id, series!.ReusedFrom);
            Assert.Equal(originalSeries!.Series.Keys.Order(), series.Series.Keys.Order());
            Assert.Equal(4 * Epochs, series.Series["train/loss"].Length);
            foreach (var (name, points) in originalSeries.Series) Assert.Equal(points, series.Series[name]);
            var onlyPsnr = await viewer.GetFromJsonAsync<TrialMetrics>($"/api/trials/{t.Id}/metrics?names=test/psnr", LabFixture.Json);
            Assert.Equal(["test/psnr"], onlyPsnr!.Series.Keys);
            var checkpoints = await viewer.GetFromJsonAsync<CheckpointInfo[]>($"/api/trials/{t.Id}/checkpoints", LabFixture.Json);
            Assert.Equal(await viewer.GetFromJsonAsync<CheckpointInfo[]>($"/api/trials/{o.Id}/checkpoints", LabFixture.Json), checkpoints);
            Assert.NotEmpty(checkpoints!);
        }

        // Every export of every table is the same text for the re-submitted grid as for the original.
        foreach (var table in new[] { 1, 2, 3 })
        foreach (var format in new[] { "csv", "md", "latex" })
            Assert.Equal(await viewer.GetStringAsync($"/api/experiments/{first.Id}/report?table={table}&format={format}"),
                await viewer.GetStringAsync($"/api/experiments/{second.Id}/report?table={table}&format={format}"));
        var csv = await viewer.GetStringAsync($"/api/experiments/{second.Id}/report?table=1&format=csv");
        Assert.Contains("IXI,x2,DGGRN,31.5,", csv);
    }
}
