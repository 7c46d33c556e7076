using System.Net;

namespace Dggrn.Dashboard.Tests;

/// <summary>Sign-in with tokens from api_tokens, cookie roles, and the server-rendered experiments page.</summary>
public sealed class SignInTests(DashboardFixture app) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Health_is_anonymous_and_pages_require_sign_in()
    {
        using var http = app.NewClient();
        var health = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", await health.Content.ReadAsStringAsync());

        foreach (var path in new[] { "/", "/experiments", "/workers", "/compare" })
        {
            var r = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.StartsWith("/signin", r.Headers.Location!.PathAndQuery);
        }
    }

    [Fact]
    public async Task Token_link_signs_in_and_the_experiments_page_is_server_rendered()
    {
        await using (var db = app.NewDb())
            await SeedData.ExperimentAsync(db, "ssr-visible-grid", [("dggrn", "NAMIC", 8, 64, 2, 0, Contracts.Trials.TrialState.Running)]);
        var token = await app.CreateTokenAsync("viewer");
        using var http = app.NewClient();

        var signin = await http.GetAsync($"/signin?token={token}");
        Assert.Equal(HttpStatusCode.Redirect, signin.StatusCode);
        Assert.Equal("/", signin.Headers.Location!.OriginalString);

        var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("ssr-visible-grid", html);
        Assert.Contains("viewer-user (viewer)", html);
        // A viewer does not get the submit panel.
        Assert.DoesNotContain("Submit a grid", html);
    }

    [Fact]
    public async Task Pasted_token_form_signs_in_a_submitter_who_sees_submit()
    {
        var token = await app.CreateTokenAsync("submitter");
        using var http = app.NewClient();
        var form = await http.GetStringAsync("/signin");
        Assert.Contains("name=\"token\"", form);

        var r = await http.PostAsync("/signin", new FormUrlEncodedContent([new("token", token), new("returnUrl", "/workers")]));
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal("/workers", r.Headers.Location!.OriginalString);
        Assert.Contains("Submit a grid", await http.GetStringAsync("/"));
    }

    [Fact]
    public async Task Single_use_token_works_once()
    {
        var token = await app.CreateTokenAsync("admin", singleUse: true);
        using (var first = app.NewClient())
            Assert.Equal(HttpStatusCode.Redirect, (await first.GetAsync($"/signin?token={token}")).StatusCode);
        using var second = app.NewClient();
        var again = await second.GetAsync($"/signin?token={token}");
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Contains("already used", await again.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("revoked")]
    [InlineData("worker")]
    [InlineData("unknown")]
    public async Task Bad_tokens_are_refused(string kind)
    {
        var token = kind switch
        {
            "expired" => await app.CreateTokenAsync("admin", expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1)),
            "revoked" => await app.CreateTokenAsync("admin", revoked: true),
            "worker" => await app.CreateTokenAsync("worker"),
            _ => "not-a-real-token",
        };
        using var http = app.NewClient();
        var r = await http.GetAsync($"/signin?token={token}");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.False(r.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Open_redirects_are_ignored()
    {
        var token = await app.CreateTokenAsync("viewer");
        using var http = app.NewClient();
        var r = await http.GetAsync($"/signin?token={token}&returnUrl=//evil.example/");
        Assert.Equal("/", r.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Static_assets_are_served_without_a_cdn()
    {
        using var http = app.NewClient();
        var css = await http.GetAsync("/_content/MudBlazor/MudBlazor.min.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        var plotly = await http.GetAsync("/_content/Plotly.Blazor/plotly-3.7.0.min.js");
        Assert.Equal(HttpStatusCode.OK, plotly.StatusCode);
    }
}
