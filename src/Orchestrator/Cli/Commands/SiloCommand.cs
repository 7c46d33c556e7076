using System.CommandLine;
using Dggrn.Orchestrator.Local;
using Microsoft.Extensions.Hosting;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>`dggrn silo`: one orchestrator silo configured by appsettings.json and the environment (for clusters).</summary>
public static class SiloCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var cmd = new Command("silo",
            "Run one orchestrator silo + HTTP API from appsettings.json and environment variables (ConnectionStrings__Lab, Orchestrator__*, Urls)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        cmd.SetAction(async (p, _) =>
        {
            using var host = HostedOrchestrator.Create(p.UnmatchedTokens.ToArray(), new Dictionary<string, string?>());
            await host.RunAsync();
            return 0;
        });
        return cmd;
    }
}
