using System.Globalization;
using System.Text.Json;

namespace Dggrn.Dashboard.Services;

/// <summary>One configuration setting that differs between the compared trials: its path and each trial's value.</summary>
public sealed record ConfigDifference(string Path, IReadOnlyList<string?> Values);

/// <summary>One setting of the compared documents, each document's value, and whether they differ.</summary>
public sealed record ConfigRow(string Path, IReadOnlyList<string?> Values, bool Differs);

/// <summary>Differences between trial configurations (JSON documents), showing only what differs.</summary>
public static class ConfigDiff
{
    /// <summary>Every path of the flattened documents in path order, each marked whether its values differ (numbers compared
    /// by value; a path missing from a document is null there).</summary>
    public static IReadOnlyList<ConfigRow> Rows(IReadOnlyList<string> documents)
    {
        var flat = documents.Select(Flatten).ToList();
        return [.. flat.SelectMany(f => f.Keys).Distinct().Order(StringComparer.Ordinal).Select(p =>
        {
            var values = flat.Select(f => f.GetValueOrDefault(p)).ToList();
            return new ConfigRow(p, values, values.Distinct().Count() > 1);
        })];
    }

    /// <summary>
    /// Flattens each document to dotted paths ("training.learningRate", "dataset.train[0]") and returns the paths whose
    /// values are not all equal, in path order. A path missing from a document has a null value there.
    /// </summary>
    public static IReadOnlyList<ConfigDifference> Compute(IReadOnlyList<string> documents)
    {
        var flat = documents.Select(Flatten).ToList();
        var paths = flat.SelectMany(f => f.Keys).Distinct().Order(StringComparer.Ordinal);
        return paths
            .Select(p => new ConfigDifference(p, flat.Select(f => f.GetValueOrDefault(p)).ToList()))
            .Where(d => d.Values.Distinct().Count() > 1)
            .ToList();
    }

    /// <summary>A JSON document as dotted paths ("training.learningRate", "dataset.train[0]") and their values as text.</summary>
    public static Dictionary<string, string?> Flatten(string json)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(json);
            Walk(doc.RootElement, "", result);
        }
        catch (JsonException e)
        {
            result["(unreadable config)"] = e.Message;
        }
        return result;
    }

    static void Walk(JsonElement e, string path, Dictionary<string, string?> into)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Walk(p.Value, path.Length == 0 ? p.Name : $"{path}.{p.Name}", into);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray()) Walk(item, $"{path}[{i++}]", into);
                if (i == 0) into[path] = "[]";
                break;
            case JsonValueKind.String:
                into[path] = e.GetString();
                break;
            case JsonValueKind.Number:
                // 1e-4 and 0.0001 are the same setting.
                into[path] = e.TryGetDouble(out var d) ? d.ToString("R", CultureInfo.InvariantCulture) : e.GetRawText();
                break;
            case JsonValueKind.Null:
                into[path] = null;
                break;
            default:
                into[path] = e.GetRawText();
                break;
        }
    }
}
