using Dggrn.Contracts.Api;
using System.Text.Json;

namespace Dggrn.Orchestrator.Cli;

/// <summary>JSON settings shared by the CLI: the API's camelCase web defaults, indented when printed.</summary>
public static class CliJson
{
    /// <summary>Options for reading API answers and writing --json output.</summary>
    public static JsonSerializerOptions Options { get; } = WireJson.Configure(new(JsonSerializerDefaults.Web) { WriteIndented = true });

    /// <summary>Serialises a value for --json output.</summary>
    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Re-indents a JSON document received from the API, keeping every key it carries.</summary>
    public static string Pretty(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(doc.RootElement, Options);
    }
}
