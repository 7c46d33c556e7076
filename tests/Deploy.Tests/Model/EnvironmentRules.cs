namespace Dggrn.Deploy.Tests.Model;

/// <summary>
/// Decides whether an environment variable set for a .NET service is one the service reads: a key of one of its
/// options classes (Section__Key), or one of the standard variables the .NET host or the platform reads.
/// </summary>
public sealed class EnvironmentRules(OptionsCatalog catalog)
{
    // Any of these in a service's sources means it runs Kestrel, which reads Urls.
    static readonly string[] WebHostMarkers = ["WebApplication", "ConfigureWebHost", "UseKestrel", "WebHost"];

    /// <summary>Why the service does not read the variable, or null when it does.</summary>
    public string? WhyNotRead(string service, string variable)
    {
        // The .NET host reads DOTNET_* (runtime and generic host) and ASPNETCORE_* (web host) itself.
        if (variable.StartsWith("DOTNET_", StringComparison.Ordinal) || variable.StartsWith("ASPNETCORE_", StringComparison.Ordinal))
            return null;
        // Logging:* is read by the host's logging configuration in every service.
        if (variable.StartsWith("Logging__", StringComparison.Ordinal)) return null;
        if (variable is "NVIDIA_VISIBLE_DEVICES" or "NVIDIA_DRIVER_CAPABILITIES")
            return service == "worker" ? null : $"{variable} is for the NVIDIA Container Toolkit, which only the worker needs";
        if (variable is "Urls" or "URLS")
            return WebHostMarkers.Any(m => catalog.ServiceMentions(service, m))
                ? null : $"the {service} hosts no web server, so it never reads Urls";
        if (variable.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
        {
            var name = variable["ConnectionStrings__".Length..];
            return catalog.ServiceMentions(service, $"GetConnectionString(\"{name}\")") || catalog.ServiceMentions(service, $"ConnectionStrings:{name}")
                ? null : $"src of the {service} never reads connection string '{name}'";
        }
        // Dataset file lists by dataset name (Datasets:<Name>:Train|Test), read without an options class.
        if (variable.StartsWith("Datasets__", StringComparison.Ordinal))
            return catalog.ServiceMentions(service, "$\"Datasets:") && variable.Split("__") is [_, _, "Train" or "Test"]
                ? null : $"the {service} does not read {variable} (Datasets__<Name>__Train|Test, orchestrator only)";
        return catalog.WhyNotRead(service, variable.Replace("__", ":", StringComparison.Ordinal));
    }
}
