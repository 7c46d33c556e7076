using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>
/// The dashboard against the real orchestrator: submit a grid from the UI, watch points arrive through the
/// orchestrator's metric ingestion and NOTIFY, read Table 1 beside the paper, export it as CSV.
/// </summary>
public sealed class OrchestratorBrowserTests(LabFixture lab, BrowserFixture browser) : IClassFixture<LabFixture>, IClassFixture<BrowserFixture>
{
    // Named NAMIC so Table 1 puts the paper's NAMIC x2 values beside ours; phantom volumes keep it small.
    const string Spec = """
        name: ui-namic
        datasets:
          - name: NAMIC
            train: ["phantom:seed=1"]
            test: ["phantom:seed=2"]
        training: { epochs: 6 }
        grid:
          - tables: ["1", "fig6"]
            methods: [dggrn, resnet]
            blocks: [8]
            filters: [64]
            scale: [2]
            seed: [0]
        """;

    static async Task EventuallyAsync(Func<Task<bool>> ok, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await ok())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out after {seconds} s waiting for {what}");
            await Task.Yield();
        }
    }

    static EvalResult Eval(string method, double psnr, double ssim, double[] perSlice) => new()
    {
        Method = method, Volume = "phantom:seed=2", Scale = 2,
        Overall = new AxisResult { Slices = perSlice.Length, Psnr = psnr, Ssim = ssim, PerSlicePsnr = perSlice, PerSliceSsim = perSlice.Select(_ => ssim).ToArray() },
    };

    [Fact]
    public async Task Submit_from_the_ui_watch_live_points_then_read_and_export_table_1()
    {
        var page = await browser.SignedInPageAsync(lab.DashboardUrl, await lab.TokenAsync("submitter", singleUse: true));
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByTestId("experiments")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("interactive")).ToHaveCountAsync(1);

        // A broken spec shows the orchestrator's validation errors in place.
        await page.GetByText("Submit a grid").ClickAsync();
        var specBox = page.Locator("[data-testid=submit-panel] textarea");
        await specBox.FillAsync("name: broken\ngrid:\n  - methods: [nosuchmethod]\n");
        await page.GetByTestId("submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("spec-errors")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "submit-errors");

        await specBox.FillAsync(Spec);
        await page.GetByTestId("submit").ClickAsync();
        await page.WaitForURLAsync("**/experiments/*");
        await Assertions.Expect(page.GetByTestId("experiment-title")).ToHaveTextAsync("ui-namic");
        var experimentId = Guid.Parse(page.Url.Split('/').Last());
        // No worker yet: the NAMIC panel says what it waits for instead of drawing empty axes.
        await Assertions.Expect(page.GetByTestId("fig6-namic").GetByTestId("chart-empty"))
            .ToHaveTextAsync("Test PSNR appears after the first evaluation, at the end of epoch 1, once a trial starts (2 trials waiting for a worker).");

        // Play a worker through the real worker API: register, lease both trials, start them.
        using var w = lab.Api(await lab.TokenAsync("worker"));
        var reg = await (await w.PostAsJsonAsync("/api/workers/register",
            new RegisterWorkerRequest("testhost", Environment.ProcessId, [new DeviceInfo("cpu", "cpu", 64L << 30, 2)], "test"), LabFixture.Json))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<RegisterWorkerResponse>(LabFixture.Json);
        var grants = await (await w.PostAsJsonAsync($"/api/workers/{reg!.WorkerId}/lease", new LeaseRequest(2, "cpu", 64L << 30), LabFixture.Json))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<LeaseGrant[]>(LabFixture.Json);
        Assert.Equal(2, grants!.Length);
        foreach (var g in grants)
            (await w.PostAsJsonAsync($"/api/trials/{g.TrialId}/started", new TrialStartedRequest(g.LeaseId, null), LabFixture.Json)).EnsureSuccessStatusCode();
        var dggrn = grants.Single(g => g.Config.Method == "dggrn");
        var resnet = grants.Single(g => g.Config.Method == "resnet");

        // Each epoch's batch goes through the orchestrator (COPY + NOTIFY); the open page gains exactly those points.
        static Task<int> Points(IPage p) => p.EvaluateAsync<int>(
            "() => { const el = document.getElementById('fig6-namic'); return el && el.data ? el.data.reduce((n, t) => n + t.x.length, 0) : 0; }");
        var seq = 0L;
        for (var epoch = 1; epoch <= 6; epoch++)
        {
            foreach (var (g, psnr) in new[] { (dggrn, 30 + epoch), (resnet, 29.5 + epoch) })
            {
                var batch = new MetricBatch(g.LeaseId, g.Attempt, ++seq,
                    [new MetricPoint("test/psnr", epoch * 10, epoch, psnr, DateTimeOffset.UtcNow), new MetricPoint("train/epoch_loss", epoch * 10, epoch, 1.0 / epoch, DateTimeOffset.UtcNow)]);
                (await w.PostAsJsonAsync($"/api/trials/{g.TrialId}/metrics", batch, LabFixture.Json)).EnsureSuccessStatusCode();
            }
            var expected = epoch * 2;
            await EventuallyAsync(async () => await Points(page) == expected, $"{expected} points on the NAMIC panel", 5);
        }
        Assert.Equal(2, await page.EvaluateAsync<int>("() => document.getElementById('fig6-namic').data.length"));
        var dggrnY = await page.EvaluateAsync<double[]>("() => document.getElementById('fig6-namic').data.find(t => t.name === 'DGGRN').y");
        Assert.Equal(new[] { 31.0, 32, 33, 34, 35, 36 }, dggrnY);

        // Legend toggling on the live chart.
        await page.Locator("#fig6-namic .legend .traces").Filter(new() { HasText = "DGGRN" }).ClickAsync();
        await EventuallyAsync(async () => await page.EvaluateAsync<string>(
            "() => String(document.getElementById('fig6-namic').data.find(t => t.name === 'DGGRN').visible)") == "legendonly", "DGGRN hidden");

        // Finish both trials; Table 1 then has measured NAMIC x2 values beside the paper's (37.21 dB / 0.939 for DGGRN).
        var slices = new[] { 37.0, 37.5, 37.4, 37.3 };
        (await w.PostAsJsonAsync($"/api/trials/{dggrn.TrialId}/complete",
            new TrialCompletedRequest(dggrn.LeaseId, 6, Eval("dggrn", 37.30, 0.9930, slices), 1000, 60), LabFixture.Json)).EnsureSuccessStatusCode();
        (await w.PostAsJsonAsync($"/api/trials/{resnet.TrialId}/complete",
            new TrialCompletedRequest(resnet.LeaseId, 6, Eval("resnet", 36.90, 0.9900, slices.Select(s => s - 0.4).ToArray()), 900, 50), LabFixture.Json)).EnsureSuccessStatusCode();

        await page.GetByText("Table 1", new() { Exact = true }).ClickAsync();
        var row = page.Locator("[data-testid=report-table-1] tbody tr").Filter(new() { HasText = "DGGRN" })
            .Filter(new() { Has = page.Locator("td.measured", new() { HasTextString = "37.30" }) });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        // Hand-computed: 37.30 - 37.21 = +0.09; 0.993 - 0.939 = +0.054.
        var cells = await row.Locator("td:not(.label)").AllTextContentsAsync();
        Assert.Equal(["37.30", "37.21", "+0.09", "0.993", "0.939", "+0.054"], cells.Select(c => c.Trim()).ToArray());
        await BrowserFixture.ScreenshotAsync(page, "experiment-table1");

        // CSV export through the same report endpoint, saved by the browser.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv-1").ClickAsync());
        Assert.Equal("table1.csv", download.SuggestedFilename);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',').Select(h => h.Trim('"')).ToList();
        var fields = lines.Single(l => l.Contains("NAMIC") && l.Contains("DGGRN") && l.Contains("x2")).Split(',');
        double Field(string name) => double.Parse(fields[header.IndexOf(name)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(37.30, Field("PSNR_measured"), 6);
        Assert.Equal(37.21, Field("PSNR_paper"), 6);
        Assert.Equal(0.09, Field("PSNR_diff"), 6);
        using var viewer = lab.Api(LabFixture.AdminToken);
        var listed = await viewer.GetFromJsonAsync<ExperimentSummary[]>("/api/experiments", LabFixture.Json);
        Assert.Equal("ui-namic", listed!.Single(e => e.Id == experimentId).Name);
    }

    [Fact]
    public async Task Submitters_pause_and_resume_from_the_page_and_viewers_get_no_controls()
    {
        using var admin = lab.Api(LabFixture.AdminToken);
        // The experiment belongs to one submitter (the owner is the token's name); another seed: the same trials as the
        // other test would be reused (already succeeded) and never pause.
        var ownerToken = await lab.TokenAsync("submitter");
        using var owner = lab.Api(ownerToken);
        var created = await (await owner.PostAsJsonAsync("/api/experiments", new SubmitRequest(Spec.Replace("ui-namic", "ui-control").Replace("seed: [0]", "seed: [7]"), null), LabFixture.Json))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<SubmitResponse>(LabFixture.Json);

        var viewer = await browser.SignedInPageAsync(lab.DashboardUrl, await lab.TokenAsync("viewer"));
        await viewer.GotoAsync($"/experiments/{created!.Id}");
        await Assertions.Expect(viewer.GetByTestId("interactive")).ToHaveCountAsync(1);
        await Assertions.Expect(viewer.GetByTestId("experiment-title")).ToHaveTextAsync("ui-control");
        await Assertions.Expect(viewer.GetByTestId("pause")).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.GetByText("Submit a grid")).ToHaveCountAsync(0);

        async Task<string> StateAsync() => (await admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{created.Id}", LabFixture.Json))!.State;
        // Another submitter sees the buttons, but the orchestrator refuses them the change, naming the owner.
        var other = await browser.SignedInPageAsync(lab.DashboardUrl, await lab.TokenAsync("submitter"));
        await other.GotoAsync($"/experiments/{created.Id}");
        await Assertions.Expect(other.GetByTestId("interactive")).ToHaveCountAsync(1);
        await other.GetByTestId("pause").ClickAsync();
        var refusal = other.Locator(".mud-snackbar").First;
        await Assertions.Expect(refusal).ToContainTextAsync("pause failed");
        Assert.NotEqual("Paused", await StateAsync());

        var submitter = await browser.SignedInPageAsync(lab.DashboardUrl, ownerToken);
        await submitter.GotoAsync($"/experiments/{created.Id}");
        await Assertions.Expect(submitter.GetByTestId("interactive")).ToHaveCountAsync(1);

        await submitter.GetByTestId("pause").ClickAsync();
        // The page confirms (or reports the orchestrator's refusal) in a toast.
        var toast = submitter.Locator(".mud-snackbar").First;
        await Assertions.Expect(toast).ToBeVisibleAsync();
        Assert.Equal("pause sent", (await toast.InnerTextAsync()).Trim());
        await EventuallyAsync(async () => await StateAsync() == "Paused", "the experiment to be paused through the API", 30);
        await Assertions.Expect(submitter.Locator(".mud-chip").Filter(new() { HasText = "Paused" }).First).ToBeVisibleAsync();
        await submitter.GetByTestId("resume").ClickAsync();
        await EventuallyAsync(async () => await StateAsync() != "Paused", "the experiment to leave Paused");
    }

    [Fact]
    public async Task Submit_the_smoke_preset_from_the_ui()
    {
        var page = await browser.SignedInPageAsync(lab.DashboardUrl, await lab.TokenAsync("submitter"));
        await BrowserFixture.SubmitSmokePresetAsync(page);
        await Assertions.Expect(page.GetByTestId("experiment-title")).ToHaveTextAsync("smoke");
        // The smoke grid: DGGRN and ResNet at scales 2 and 3 on the phantom dataset, all four cells in the matrix.
        await Assertions.Expect(page.Locator("[data-testid=trial-matrix] tbody td[data-state]")).ToHaveCountAsync(4);
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByTestId("experiments")).ToContainTextAsync("smoke");
    }
}
