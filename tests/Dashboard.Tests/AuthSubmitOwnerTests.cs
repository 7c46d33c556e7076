using System.Net.Http.Json;
using Dggrn.Contracts.Api;

namespace Dggrn.Dashboard.Tests;

/// <summary>A grid submitted from the dashboard belongs to the signed-in user, not to the dashboard's service token.</summary>
public sealed class AuthSubmitOwnerTests(LabFixture lab, BrowserFixture browser) : IClassFixture<LabFixture>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_grid_submitted_from_the_dashboard_is_owned_by_the_signed_in_user()
    {
        using var admin = lab.Api(LabFixture.AdminToken);
        var name = "grace-" + Guid.NewGuid().ToString("N")[..6];
        var created = await (await admin.PostAsJsonAsync("/api/tokens", new CreateTokenRequest(name, "submitter"), LabFixture.Json))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<CreateTokenResponse>(LabFixture.Json);

        var page = await browser.SignedInPageAsync(lab.DashboardUrl, created!.Token);
        var id = await BrowserFixture.SubmitSmokePresetAsync(page);
        var detail = await admin.GetFromJsonAsync<ExperimentDetail>($"/api/experiments/{id}", LabFixture.Json);
        Assert.Equal(name, detail!.Owner);
    }
}
