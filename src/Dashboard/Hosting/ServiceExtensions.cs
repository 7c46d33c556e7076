using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Dashboard.Auth;
using Dggrn.Dashboard.Services;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace Dggrn.Dashboard.Hosting;

/// <summary>Service registrations of the dashboard.</summary>
public static class ServiceExtensions
{
    /// <summary>Adds options, database access, live metrics, the orchestrator client, sign-in and Blazor.</summary>
    public static WebApplicationBuilder AddDashboardServices(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DashboardHost.DefaultUrls);
        // Serves _content/MudBlazor and _content/Plotly.Blazor from the build output too (not only after publish),
        // which is how the local-mode launcher runs the dashboard. A no-op when no manifest is present.
        builder.WebHost.UseStaticWebAssets();

        // The hosting layer logs each request line with its query string at Information, and a one-time sign-in link
        // (/signin?token=...) carries a live secret there. Request lines are of little use here (interactive pages run
        // over one circuit), so only their warnings are kept; no other log line of the dashboard includes a query.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        builder.Services.AddOptions<DashboardOptions>().BindConfiguration("Dashboard");
        var cs = builder.Configuration.GetConnectionString("Lab");
        builder.Services.AddDbContextFactory<LabDbContext>(o =>
            LabDbContext.Configure(o, cs ?? throw new InvalidOperationException(
                "ConnectionStrings:Lab is not set: the dashboard needs the lab PostgreSQL connection string")));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LabReader>();
        builder.Services.AddSingleton<MetricsNotifier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MetricsNotifier>());
        builder.Services.AddTransient<MetricStream>();
        builder.Services.AddSingleton<CurveReader>();
        builder.Services.AddHttpClient<OrchestratorClient>();
        builder.Services.AddSingleton<TokenSignIn>();
        builder.Services.AddOptions<CheckpointStoreOptions>().BindConfiguration("CheckpointStore");
        builder.Services.AddSingleton<ICheckpointStore>(sp => CheckpointStores.Create(
            sp.GetRequiredService<IOptions<CheckpointStoreOptions>>().Value,
            msg => sp.GetRequiredService<ILogger<ICheckpointStore>>().LogWarning("checkpoint store: {Message}", msg)));

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                var hours = builder.Configuration.GetValue<double?>("Dashboard:SessionHours") ?? 12;
                o.Cookie.Name = "dggrn.dashboard";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/denied";
                o.ExpireTimeSpan = TimeSpan.FromHours(hours);
                o.SlidingExpiration = true;
            });
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.SubmitterPolicy, p => p.RequireRole(Roles.Submitter, Roles.Admin))
            .AddPolicy(Roles.AdminPolicy, p => p.RequireRole(Roles.Admin));
        builder.Services.AddCascadingAuthenticationState();

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        // Bottom-right: the top-right corner holds the page's control buttons, which a toast must not cover.
        builder.Services.AddMudServices(c => c.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
        return builder;
    }
}
