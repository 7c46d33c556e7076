using Dggrn.Contracts.Api;
using System.Net;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Contracts.Trials;
using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>The trial page in a real browser: example images from the checkpoint store, history, log tail, checkpoint download.</summary>
public sealed class TrialPageBrowserTests(DashboardFixture app, BrowserFixture browser)
    : IClassFixture<DashboardFixture>, IClassFixture<BrowserFixture>
{
    static readonly string[] Kinds = ["lr", "bicubic", "sr", "hr", "error"];

    async Task<(ExperimentEntity E, TrialEntity T)> SeedTrialAsync()
    {
        await using var db = app.NewDb();
        var e = await SeedData.ExperimentAsync(db, "trial-page-grid", [("dggrn", "NAMIC", 8, 64, 2, 0, TrialState.Running)]);
        var t = e.Trials[0];
        var now = DateTimeOffset.UtcNow;
        db.TrialTransitions.AddRange(
            new TrialTransitionEntity { TrialId = t.Id, FromState = null, ToState = TrialState.Pending, Reason = "submitted", At = now.AddMinutes(-9) },
            new TrialTransitionEntity { TrialId = t.Id, FromState = TrialState.Pending, ToState = TrialState.Leased, Reason = "leased by w1", WorkerId = "w1", Attempt = 1, At = now.AddMinutes(-8) },
            new TrialTransitionEntity { TrialId = t.Id, FromState = TrialState.Leased, ToState = TrialState.Running, Reason = "started", WorkerId = "w1", Attempt = 1, At = now.AddMinutes(-8) });
        db.TrialLogs.Add(new TrialLogEntity { TrialId = t.Id, Attempt = 1, Line = "epoch 2 test psnr 32.50 dB", At = now });
        // Two slices on axis 0 at epoch 2, plus two GM maps: what a worker uploads and records.
        foreach (var slice in new[] { 40, 60 })
        foreach (var kind in Kinds.Append("gm-0").Append("gm-1"))
        {
            var key = StoreKeys.Image(e.Id, t.Id, 2, kind, 0, slice);
            await app.Store.PutAsync(key, TinyPng.Gray(16, (byte)(slice + kind.Length * 20)), new Dictionary<string, string>(), CancellationToken.None);
            db.Artifacts.Add(new ArtifactEntity { TrialId = t.Id, Epoch = 2, Kind = kind, Axis = 0, Slice = slice, Key = key, CreatedAt = now });
        }
        var ckptKey = StoreKeys.Checkpoint(e.Id, t.Id, 1, 2);
        await app.Store.PutAsync(ckptKey, "checkpoint-bytes"u8.ToArray(), new Dictionary<string, string>(), CancellationToken.None);
        db.Checkpoints.Add(new CheckpointEntity { TrialId = t.Id, Attempt = 1, Epoch = 2, Step = 200, Key = ckptKey, Sha256 = new string('a', 64), SizeBytes = 16, TestPsnr = 32.5, CreatedAt = now });
        await db.SaveChangesAsync();
        return (e, t);
    }

    [Fact]
    public async Task Trial_page_shows_example_images_history_log_and_live_curves()
    {
        var (_, t) = await SeedTrialAsync();
        await SeedData.MetricsAsync(app.ConnectionString, t.Id, "test/psnr", [(1, 31.0), (2, 32.5)]);
        var page = await browser.SignedInPageAsync(app.BaseUrl, await app.CreateTokenAsync("viewer"));
        await page.GotoAsync($"/trials/{t.Id}");

        await Assertions.Expect(page.GetByTestId("trial-title")).ToHaveTextAsync(t.Key);
        // Charts draw only once the page is interactive (the prerendered DOM has been replaced by then).
        await Assertions.Expect(page.Locator("#trial-psnr .scatterlayer .trace")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("transitions")).ToContainTextAsync("leased by w1");
        await Assertions.Expect(page.GetByTestId("log-tail")).ToContainTextAsync("epoch 2 test psnr 32.50 dB");
        await Assertions.Expect(page.GetByTestId("trial-config")).ToContainTextAsync("\"method\": \"dggrn\"");

        // Every example image and GM map decodes in the browser (served from the store behind sign-in).
        foreach (var kind in Kinds.Append("gm-0").Append("gm-1"))
        {
            var img = page.Locator($"[data-testid=example-images] img[data-kind='{kind}']");
            await Assertions.Expect(img).ToHaveCountAsync(1);
            await img.ScrollIntoViewIfNeededAsync();
            var width = 0;
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (width == 0 && DateTime.UtcNow < deadline)
                width = await img.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0");
            Assert.Equal(16, width);
        }
        var firstSrc = await page.Locator("[data-testid=example-images] img[data-kind='sr']").GetAttributeAsync("src");
        // The slider moves to the other slice: a different image.
        await page.Locator("[data-testid=example-images] input[type=range]").FillAsync("1");
        await Assertions.Expect(page.Locator("[data-testid=example-images] img[data-kind='sr']")).Not.ToHaveAttributeAsync("src", firstSrc!);

        // No training loss yet: the panel says when it comes instead of drawing empty axes, then draws it in place.
        var loss = page.GetByTestId("trial-loss");
        await Assertions.Expect(loss.GetByTestId("chart-empty")).ToHaveTextAsync("Training loss appears at step 10, the first logged step (1 trial running).");
        await Assertions.Expect(loss.Locator(".js-plotly-plot")).ToHaveCountAsync(0);
        await SeedData.MetricsAsync(app.ConnectionString, t.Id, "train/loss", [(1, 0.5)]);
        await Assertions.Expect(loss.Locator(".js-plotly-plot .scatterlayer .trace")).ToHaveCountAsync(1);
        await Assertions.Expect(loss.GetByTestId("chart-empty")).ToHaveCountAsync(0);

        // The live PSNR curve has the history and grows.
        await SeedData.MetricsAsync(app.ConnectionString, t.Id, "test/psnr", [(3, 33.0)]);
        var deadline2 = DateTime.UtcNow.AddSeconds(5);
        var n = 0;
        while (n != 3 && DateTime.UtcNow < deadline2)
            n = await page.EvaluateAsync<int>("() => document.getElementById('trial-psnr').data[0].x.length");
        Assert.Equal(3, n);
        await BrowserFixture.ScreenshotAsync(page, "trial-page");
    }

    [Fact]
    public async Task Checkpoints_download_behind_sign_in_only()
    {
        var (_, t) = await SeedTrialAsync();
        await using var db = app.NewDb();
        var id = db.Checkpoints.Single(c => c.TrialId == t.Id).Id;
        using var anonymous = app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync($"/files/checkpoints/{id}")).StatusCode);

        using var http = app.NewClient();
        await http.GetAsync($"/signin?token={await app.CreateTokenAsync("viewer")}");
        var r = await http.GetAsync($"/files/checkpoints/{id}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("checkpoint-bytes", await r.Content.ReadAsStringAsync());
        Assert.Equal($"{t.Key}-attempt1-epoch2.ckpt", r.Content.Headers.ContentDisposition!.FileName);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/files/checkpoints/999999")).StatusCode);
    }

    [Fact]
    public async Task Trial_page_shows_where_the_attempt_ran_with_its_numerics_and_a_divergence_as_such()
    {
        Guid id;
        await using (var db = app.NewDb())
        {
            var e = await SeedData.ExperimentAsync(db, "environment-grid", [("dggrn", "IXI", 8, 64, 2, 0, TrialState.Failed)]);
            var t = e.Trials[0];
            t.Diverged = true;
            t.Error = "diverged at epoch 3, step 41: loss NaN";
            var numerics = new NumericsInfo(true, "channels-last", 2, "cpu", 6.0e-7, 1e-3, "AMD EPYC", "AuthenticAMD", 26, 2, "2.10.0", "0.107.0",
                "Intel(R) MKL-DNN v3.7.1", "AVX512", ["jit:avx512_core backward_data"], [new("channels-last", 6.0e-7, "dggrn N=8 K=64 x2: output", true, 0.3)],
                ["dggrn N=8 K=64 x2"], null, 0.3, DateTimeOffset.UtcNow);
            t.EnvironmentJson = System.Text.Json.JsonSerializer.Serialize(
                new TrialEnvironment("zen5-box", "w-7", "cpu", 2, ".NET 10.0.3", "Debian GNU/Linux 12", "1.0.0", numerics), WireJson.Options);
            await db.SaveChangesAsync();
            id = t.Id;
        }
        var page = await browser.SignedInPageAsync(app.BaseUrl, await app.CreateTokenAsync("viewer"));
        await page.GotoAsync($"/trials/{id}");
        await Assertions.Expect(page.GetByTestId("trial-state")).ToHaveTextAsync("Diverged");
        await Assertions.Expect(page.GetByTestId("trial-error")).ToHaveTextAsync("diverged at epoch 3, step 41: loss NaN");
        var env = page.GetByTestId("trial-environment");
        await Assertions.Expect(env).ToContainTextAsync("w-7 on zen5-box");
        await Assertions.Expect(env).ToContainTextAsync("cpu, 2 threads");
        await Assertions.Expect(env.GetByTestId("numerics")).ToContainTextAsync("channels-last agrees with float64 (max rel. error 6.0e-7");
        await Assertions.Expect(env.GetByTestId("numerics-paths")).ToContainTextAsync("dggrn N=8 K=64 x2: output");
    }
}
