using System.Reflection;
using Dggrn.Orchestrator.Cli;
using Microsoft.Extensions.Hosting;

namespace Dggrn.Orchestrator.Local;

/// <summary>
/// Hosts the orchestrator (silo + HTTP API) in this process through
/// <c>Dggrn.Orchestrator.Hosting.OrchestratorHost.Create(args, settings)</c>.
/// </summary>
/// <remarks>
/// REVIEW: bound by reflection while the hosting code is being written in parallel, so the CLI builds either way;
/// replace with a direct call once Hosting/OrchestratorHost.cs has settled.
/// </remarks>
public static class HostedOrchestrator
{
    const string TypeName = "Dggrn.Orchestrator.Hosting.OrchestratorHost";

    /// <summary>Builds the host with settings layered over appsettings.json and the environment.</summary>
    public static IHost Create(string[] args, IDictionary<string, string?> settings)
    {
        var type = typeof(HostedOrchestrator).Assembly.GetType(TypeName)
                   ?? throw new CliException($"this build has no orchestrator host ({TypeName} is missing)");
        var create = type.GetMethods(BindingFlags.Public | BindingFlags.Static)
                         .FirstOrDefault(m => m.Name == "Create" && m.GetParameters().Length == 2
                                              && m.GetParameters()[0].ParameterType == typeof(string[]))
                     ?? throw new CliException($"{TypeName}.Create(string[], settings) is missing");
        var settingsType = create.GetParameters()[1].ParameterType;
        object? settingsArg = settingsType.IsInstanceOfType(settings)
            ? settings
            : settingsType.IsAssignableFrom(typeof(Dictionary<string, string?>))
                ? new Dictionary<string, string?>(settings)
                : throw new CliException($"{TypeName}.Create takes settings of type {settingsType}, which the launcher cannot supply");
        try
        {
            return create.Invoke(null, [args, settingsArg]) as IHost
                   ?? throw new CliException($"{TypeName}.Create did not return a host");
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
