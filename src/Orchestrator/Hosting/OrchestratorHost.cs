using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Apis;
using Dggrn.Orchestrator.Auth;
using Microsoft.AspNetCore.Authentication;

namespace Dggrn.Orchestrator.Hosting;

/// <summary>Builds the orchestrator process: an Orleans silo co-hosted with the HTTP API (minimal APIs).</summary>
public static class OrchestratorHost
{
    /// <summary>Default HTTP address when configuration gives no <c>Urls</c>.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Creates the application. Configuration: appsettings.json, environment, <paramref name="args"/>,
    /// then <paramref name="settings"/> (highest precedence). Start it with RunAsync/StartAsync.</summary>
    /// <remarks>Start-up applies EF migrations and ensures Orchestrator:BootstrapAdminToken before the silo starts.</remarks>
    public static WebApplication Create(string[] args, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        if (string.IsNullOrEmpty(builder.Configuration["Urls"])) builder.WebHost.UseUrls(DefaultUrl);
        // EF logs the expected miss of its history table on a fresh database as an error; failures still surface as exceptions.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);

        var connectionString = builder.Configuration.GetConnectionString("Lab") is { Length: > 0 } cs ? cs
            : throw new InvalidOperationException("ConnectionStrings:Lab is not set (environment variable ConnectionStrings__Lab): the orchestrator needs PostgreSQL");
        var options = builder.Configuration.GetSection("Orchestrator").Get<OrchestratorOptions>() ?? new OrchestratorOptions();
        builder.Services.AddOptions<OrchestratorOptions>().BindConfiguration("Orchestrator");

        // Order matters: hosted services start in registration order, and the silo needs the migrated schema.
        builder.Services.AddHostedService<DatabaseInitializer>();
        builder.Services.AddLabServices(connectionString);
        builder.UseOrleans(silo => silo.ConfigureLabSilo(options, connectionString));

        builder.Services.ConfigureHttpJsonOptions(j => WireJson.Configure(j.SerializerOptions));
        builder.Services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Roles.ReadPolicy, p => p.RequireRole(Roles.Admin, Roles.Submitter, Roles.Viewer))
            .AddPolicy(Roles.SubmitPolicy, p => p.RequireRole(Roles.Admin, Roles.Submitter))
            .AddPolicy(Roles.AdminPolicy, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Roles.WorkerPolicy, p => p.RequireRole(Roles.Worker, Roles.Admin))
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.Services.AddOpenApi();
        builder.AddApiErrors();

        var app = builder.Build();
        app.UseApiErrors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi().RequireAuthorization(Roles.ReadPolicy);
        app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous().WithTags("Health");
        // Every API route refuses a body with a required member missing (400 naming its JSON path) before its handler runs.
        var api = app.MapGroup("").AddEndpointFilterFactory(BodyChecks.Factory);
        api.MapTokensApi();
        api.MapExperimentsApi();
        api.MapTrialsApi();
        api.MapWorkersApi();
        api.MapWorkerTrialsApi();
        api.MapWorkerBatchApi();
        api.MapClusterApi();
        return app;
    }
}
