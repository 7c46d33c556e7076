using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>
/// The experiment, trial, compare and workers pages at 1280x800 and 1920x1080 with a realistic lab behind them (a
/// 12-trial grid over three datasets, running, finished and diverged trials, a refused worker): the navigation never
/// covers content, nothing overflows sideways, charts keep their plot area (<see cref="LayoutCheck"/>). Screenshots of
/// every page at both sizes are kept in the test results.
/// </summary>
public sealed class LayoutBrowserTests(LabFixture lab, BrowserFixture browser) : IClassFixture<LabFixture>, IClassFixture<BrowserFixture>
{
    const int Epochs = 3;

    const string Spec = """
        name: layout-grid-with-a-long-name-to-wrap-in-the-header
        datasets:
          - name: BrainWeb
            train: ["phantom:seed=1"]
            test: ["phantom:seed=2"]
          - name: NAMIC
            train: ["phantom:seed=1"]
            test: ["phantom:seed=3"]
          - name: IXI
            train: ["phantom:seed=1"]
            test: ["phantom:seed=4"]
        training: { epochs: 3 }
        grid:
          - tables: ["1", "fig6"]
            methods: [dggrn, resnet]
            blocks: [8]
            filters: [64]
            scale: [2]
            seed: [0, 1]
        """;

    static NumericsInfo Check(bool passed) => new(passed, passed ? "channels-last" : null, 2, "cpu", passed ? 5.3e-7 : 0.03, 1e-3,
        "AMD EPYC 9B45 128-Core Processor", "AuthenticAMD", 26, 2, "2.10.0", "0.107.0", "Intel(R) MKL-DNN v3.7.1 (Git Hash 8d263e693366ef8db40acc569cc7d8edf644556d)",
        "AVX512", ["jit:avx512_core backward_data", "jit:avx512_core backward_weights", "jit:avx512_core forward_training"],
        [new("channels-last", passed ? 5.3e-7 : 0.03, "dggrn N=8 K=64 x2: gradient of the input of the tail convolution", passed, 0.4),
         new("blocked", 0.94, "dggrn N=8 K=64 x2: output", false, 0.3)],
        ["dggrn N=8 K=64 x2", "resnet N=8 K=64 x2"],
        passed ? null : "numerics: float32 convolutions disagree with float64 on every path (channels-last: 3.0e-2 at dggrn N=8 K=64 x2: output)",
        0.7, DateTimeOffset.UtcNow);

    // Submits the grid and plays two workers: ten trials finish, one diverges, one is still running; one worker is refused.
    async Task<(Guid Experiment, Guid Trial, Guid[] Compared)> LabAsync()
    {
        using var submitter = lab.Api(await lab.TokenAsync("submitter"));
        var e = (await (await submitter.PostAsJsonAsync("/api/experiments", new SubmitRequest(Spec, null), LabFixture.Json))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<SubmitResponse>(LabFixture.Json))!;
        using var refused = await WorkerPlay.RegisterAsync(lab, numerics: Check(false));
        using var worker = await WorkerPlay.RegisterAsync(lab, slots: 16, numerics: Check(true));
        var grants = await worker.LeaseAndStartAsync(12);
        Assert.Equal(12, grants.Length);
        var psnr = (LeaseGrant g, int epoch) => (g.Config.Method == "dggrn" ? 30 : 29) + g.Config.Dataset.Name.Length * 0.3 + g.Config.Seed * 0.1 + epoch * 0.5;
        // Example images and checkpoints for the first trial only: the page under test is that trial's.
        for (var epoch = 1; epoch <= Epochs; epoch++)
            foreach (var g in grants) await worker.EpochAsync(g, epoch, psnr(g, epoch), files: g == grants[0]);
        foreach (var g in grants.Skip(2)) await worker.CompleteAsync(g, Epochs, psnr(g, Epochs));
        await worker.DivergeAsync(grants[1], "diverged at epoch 3, step 120: loss NaN (learning rate 1e-3 too high for this network at this scale)");
        return (e.Id, grants[0].TrialId, [.. grants.Take(4).Select(g => g.TrialId)]);
    }

    static async Task SettleAsync(IPage page, int charts)
    {
        await Assertions.Expect(page.GetByTestId("interactive")).ToHaveCountAsync(1);
        // Every chart drawn with its points (Plotly has laid it out), so the check measures what a person sees.
        await page.WaitForFunctionAsync("n => { const p = [...document.querySelectorAll('.js-plotly-plot')]; " +
            "return p.length === n && p.every(el => el._fullLayout && el.data && el.data.some(t => (t.x || t.dimensions || []).length > 0)); }", charts);
    }

    [Fact]
    public async Task Experiment_trial_compare_and_workers_pages_hold_their_layout_at_1280x800_and_1920x1080()
    {
        var (experiment, trial, compared) = await LabAsync();
        var page = await browser.SignedInPageAsync(lab.DashboardUrl, await lab.TokenAsync("admin"));
        var problems = new List<string>();
        foreach (var (w, h) in new[] { (1280, 800), (1920, 1080) })
        {
            await page.SetViewportSizeAsync(w, h);
            async Task CheckAsync(string name)
            {
                await BrowserFixture.ScreenshotAsync(page, $"layout-{name}-{w}x{h}");
                problems.AddRange((await LayoutCheck.ProblemsAsync(page)).Select(p => $"{name} at {w}x{h}: {p}"));
            }

            await page.GotoAsync($"/experiments/{experiment}");
            await SettleAsync(page, charts: 3 + 4);   // Figure 6 per dataset, then the four all-trials charts
            await Assertions.Expect(page.Locator("[data-testid=report-table-1] td.measured").First).ToBeVisibleAsync();
            await CheckAsync("experiment");

            await page.GotoAsync($"/trials/{trial}");
            await SettleAsync(page, charts: 3);
            await Assertions.Expect(page.Locator("[data-testid=example-images] img[data-kind='sr']")).ToHaveCountAsync(1);
            await Assertions.Expect(page.GetByTestId("numerics-paths")).ToBeVisibleAsync();
            await CheckAsync("trial");

            await page.GotoAsync($"/compare?trials={string.Join(",", compared)}");
            await SettleAsync(page, charts: 2);   // the overlay and the parallel coordinates
            await CheckAsync("compare");

            await page.GotoAsync("/workers");
            await Assertions.Expect(page.Locator("[data-testid=workers] [data-testid=worker-state]", new() { HasTextString = "Refused" })).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("[data-testid=workers] tr", new() { HasTextString = "diverged at epoch 3" })).ToHaveCountAsync(1);
            await CheckAsync("workers");
        }
        Assert.True(problems.Count == 0, $"layout problems (screenshots in {BrowserFixture.ScreenshotDir}):\n" + string.Join("\n", problems));
    }
}
