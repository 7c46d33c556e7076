using Dggrn.Deploy.Tests.Parsing;
using YamlDotNet.RepresentationModel;

namespace Dggrn.Deploy.Tests.Model;

/// <summary>deploy/compose/compose.yaml with its variables taken from .env.example.</summary>
public sealed class ComposeFile
{
    /// <summary>The parsed root mapping.</summary>
    public YamlMappingNode Root { get; } = YamlFiles.Document(Repo.ComposeFile);

    /// <summary>The variables of .env.example.</summary>
    public IReadOnlyDictionary<string, string> EnvExample { get; } = ComposeInterpolation.ReadEnvFile(Repo.EnvExample);

    /// <summary>Interpolates with .env.example.</summary>
    public string Resolve(string text) => new ComposeInterpolation(EnvExample).Resolve(text);

    /// <summary>Services by name.</summary>
    public IReadOnlyDictionary<string, YamlMappingNode> Services =>
        (Root.Map("services") ?? throw new InvalidDataException($"{Repo.ComposeFile}: no services"))
        .Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => (YamlMappingNode)kv.Value);

    /// <summary>A service that must exist.</summary>
    public YamlMappingNode Service(string name) =>
        Services.TryGetValue(name, out var s) ? s : throw new Xunit.Sdk.XunitException($"compose.yaml has no service '{name}'");

    /// <summary>A service's environment as written (mapping or KEY=VALUE list, merge keys followed).</summary>
    public static IReadOnlyDictionary<string, string> Environment(YamlMappingNode service)
    {
        var env = new Dictionary<string, string>();
        switch (service.Child("environment"))
        {
            case YamlMappingNode m:
                foreach (var key in m.Keys()) env[key] = (m.Child(key) as YamlScalarNode)?.Value ?? "";
                break;
            case YamlSequenceNode s:
                foreach (var item in s.Strings())
                    env[item.Split('=')[0]] = item.Contains('=') ? item[(item.IndexOf('=') + 1)..] : "";
                break;
        }
        return env;
    }

    /// <summary>The .NET service (orchestrator, worker, dashboard) a compose service runs, from its image; null otherwise.</summary>
    public string? DotnetService(YamlMappingNode service) =>
        service.Str("image") is { } image ? Repo.ServiceOfImage(Resolve(image)) : null;
}
