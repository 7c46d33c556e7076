namespace Dggrn.Dashboard.Hosting;

/// <summary>Builds the dashboard web application; Program.cs and in-process tests both start it here.</summary>
public static class DashboardHost
{
    /// <summary>Default listen address: loopback only unless <c>Urls</c> says otherwise.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5090";

    /// <summary>Creates the configured application (not started).</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="settings">Extra configuration that overrides files and environment (tests use it).</param>
    public static WebApplication Create(string[] args, IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Tests host the app from another assembly: keep the name that static web assets are keyed on.
            ApplicationName = typeof(DashboardHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.AddDashboardServices();
        var app = builder.Build();
        app.MapDashboard();
        return app;
    }
}
