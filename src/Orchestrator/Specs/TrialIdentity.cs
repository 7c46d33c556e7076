using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Specs;

/// <summary>The identity of a trial: SHA-256 over the canonical JSON of everything that determines its result.</summary>
/// <remarks>
/// Canonical = camelCase property names, keys sorted ordinally at every level, no whitespace, numbers as
/// System.Text.Json writes them (round-trippable). The dataset enters through its modality and content hash
/// only, so moving or renaming files does not change an identity, while changing their bytes does.
/// </remarks>
public static class TrialIdentity
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Lower-case hex SHA-256 of <see cref="Canonical"/>.</summary>
    public static string Compute(TrialConfig config) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(config))));

    /// <summary>The canonical JSON text the identity hashes.</summary>
    public static string Canonical(TrialConfig config)
    {
        var node = JsonSerializer.SerializeToNode(config, Json)!.AsObject();
        node["dataset"] = new JsonObject
        {
            ["contentHash"] = config.Dataset.ContentHash,
            ["modality"] = config.Dataset.Modality,
        };
        return Sorted(node)!.ToJsonString();
    }

    static JsonNode? Sorted(JsonNode? n) => n switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => n.DeepClone(),
    };

    /// <summary>Content hash of a dataset: SHA-256 over "train"/"test" and each source's own hash, in order.</summary>
    public static string DatasetHash(IEnumerable<string> trainSourceHashes, IEnumerable<string> testSourceHashes)
    {
        var sb = new StringBuilder("train");
        foreach (var h in trainSourceHashes) sb.Append('\n').Append(h);
        sb.Append("\ntest");
        foreach (var h in testSourceHashes) sb.Append('\n').Append(h);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>Hash of one source: SHA-256 of the file's bytes, or of the phantom URI text.</summary>
    public static string SourceHash(string source)
    {
        if (source.StartsWith("phantom:", StringComparison.Ordinal))
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        using var f = File.OpenRead(source);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }
}
