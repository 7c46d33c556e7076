using Dggrn.Dashboard.Auth;
using Dggrn.Dashboard.Components;

namespace Dggrn.Dashboard.Hosting;

/// <summary>Middleware and endpoint table of the dashboard.</summary>
public static class EndpointExtensions
{
    /// <summary>Maps health, sign-in, blob downloads, static assets and the Blazor pages.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapGet("/health", () => "ok").AllowAnonymous();
        app.MapSignIn();
        app.MapBlobEndpoints();
        // Sign-in page needs its CSS before anyone is signed in; the assets hold no data.
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
