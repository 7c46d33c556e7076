using Dggrn.Tests.Common;
using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>Debian's chromium driven by Playwright (no browser download), plus a folder for screenshots.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    IPlaywright? _playwright;

    /// <summary>The launched browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go (test artefacts): $DGGRN_TEST_RESULTS or {artifacts}/test-results/dashboard-screenshots.</summary>
    public static string ScreenshotDir { get; } = Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("DGGRN_TEST_RESULTS") is { Length: > 0 } r
            ? Path.Combine(r, "dashboard-screenshots")
            : Path.Combine(TestEnvironment.ArtifactsPath, "test-results", "dashboard-screenshots")).FullName;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var exe = Environment.GetEnvironmentVariable("DGGRN_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(exe))
            throw new InvalidOperationException($"chromium not found at {exe}: install it (apt-get install chromium; tests/run.sh does) or set DGGRN_CHROMIUM");
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = exe,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A new page signed in with <paramref name="token"/> on the dashboard at <paramref name="baseUrl"/>.</summary>
    public async Task<IPage> SignedInPageAsync(string baseUrl, string token)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, AcceptDownloads = true,
        });
        // Generous: the browser shares two cores with the server, PostgreSQL and often a build.
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/signin?token={token}");
        return page;
    }

    /// <summary>On the experiments page, submits the smoke preset through the submit panel and waits for the new
    /// experiment's page; returns its id.</summary>
    public static async Task<Guid> SubmitSmokePresetAsync(IPage page)
    {
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByTestId("interactive")).ToHaveCountAsync(1);
        await page.GetByText("Submit a grid").ClickAsync();
        await page.Locator("[data-testid=submit-panel] .mud-select .mud-input-control").First.ClickAsync();
        await page.GetByText("smoke (tiny, CPU)").ClickAsync();
        // The select shows the preset once the server has taken the choice; submitting before that would send no preset.
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Preset" })).ToHaveTextAsync("smoke (tiny, CPU)");
        await page.GetByTestId("submit").ClickAsync();
        await page.WaitForURLAsync("**/experiments/*");
        return Guid.Parse(new Uri(page.Url).Segments[^1]);
    }

    /// <summary>Saves a full-page screenshot named <paramref name="name"/>.png, scrolled to the top first (a fixed app bar
    /// is drawn where the window is, so a scrolled page would show it across the middle).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png"), FullPage = true });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
