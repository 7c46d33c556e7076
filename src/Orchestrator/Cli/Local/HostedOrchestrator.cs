using Dggrn.Orchestrator.Hosting;
using Microsoft.Extensions.Hosting;

namespace Dggrn.Orchestrator.Local;

/// <summary>Hosts the orchestrator (silo + HTTP API) in this process.</summary>
public static class HostedOrchestrator
{
    /// <summary>Builds the host; <paramref name="settings"/> take precedence over appsettings.json and the environment.</summary>
    public static IHost Create(string[] args, IDictionary<string, string?> settings) =>
        OrchestratorHost.Create(args, new Dictionary<string, string?>(settings));
}
