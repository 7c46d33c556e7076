using System.Text;
using Dggrn.Contracts.Trials;
using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>A chart's PNG and SVG buttons save the drawn curves as files, rendered in a real browser.</summary>
public sealed class ChartExportBrowserTests(DashboardFixture app, BrowserFixture browser)
    : IClassFixture<DashboardFixture>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Png_and_svg_buttons_save_the_chart_as_it_is_drawn()
    {
        Dggrn.Orchestrator.Infrastructure.Entities.ExperimentEntity e;
        await using (var db = app.NewDb())
            e = await SeedData.ExperimentAsync(db, "export-grid", [("dggrn", "IXI", 8, 64, 2, 0, TrialState.Running)]);
        await SeedData.MetricsAsync(app.ConnectionString, e.Trials.Single().Id, "test/psnr", [(1, 30.0), (2, 31.5), (3, 32.25)]);

        var page = await browser.SignedInPageAsync(app.BaseUrl, await app.CreateTokenAsync("viewer"));
        await page.GotoAsync($"/experiments/{e.Id}");
        var panel = page.GetByTestId("fig6-ixi");
        // The chart is saved as drawn: wait until Plotly holds the three points.
        await page.WaitForFunctionAsync(
            "() => { const el = document.getElementById('fig6-ixi'); return !!el && !!el.data && el.data.reduce((n, t) => n + t.x.length, 0) === 3; }");

        var png = await page.RunAndWaitForDownloadAsync(() => panel.GetByRole(AriaRole.Button, new() { Name = "png", Exact = true }).ClickAsync());
        Assert.Equal("IXI.png", png.SuggestedFilename);
        var pngBytes = await File.ReadAllBytesAsync(await png.PathAsync());
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, pngBytes[..8]);
        // IHDR: width and height (big-endian) as requested by the dashboard: 1200 wide, at least 400 high.
        Assert.Equal(1200, (pngBytes[16] << 24) | (pngBytes[17] << 16) | (pngBytes[18] << 8) | pngBytes[19]);
        Assert.True(((pngBytes[20] << 24) | (pngBytes[21] << 16) | (pngBytes[22] << 8) | pngBytes[23]) >= 400);

        var svg = await page.RunAndWaitForDownloadAsync(() => panel.GetByRole(AriaRole.Button, new() { Name = "svg", Exact = true }).ClickAsync());
        Assert.Equal("IXI.svg", svg.SuggestedFilename);
        var text = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(await svg.PathAsync()));
        Assert.StartsWith("<svg", text);
        Assert.Matches("class=\"scatterlayer[^>]*>.*<path class=\"js-line\" d=\"M", text); // the curve is drawn in it
        Assert.Contains("PSNR (dB)", text);   // the y axis title
    }
}
