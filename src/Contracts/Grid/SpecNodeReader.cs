using System.Globalization;
using Dggrn.Contracts.Api;
using YamlDotNet.RepresentationModel;

namespace Dggrn.Contracts.Grid;

/// <summary>Reads typed values out of a YAML/JSON node tree, collecting every problem with its document path.</summary>
/// <remarks>Readers never throw on bad input: they record an error and return a fallback, so one pass finds all errors.</remarks>
internal sealed class SpecNodeReader
{
    readonly List<SpecError> _errors = [];

    /// <summary>Problems found so far, in document order.</summary>
    public IReadOnlyList<SpecError> Errors => _errors;

    public void Error(string path, string message) => _errors.Add(new SpecError(path, message));

    /// <summary>The node as a mapping whose keys must all be in <paramref name="allowed"/>; null (with an error) otherwise.</summary>
    public Dictionary<string, (YamlNode Node, string Path)>? Mapping(YamlNode node, string path, params string[] allowed)
    {
        if (node is not YamlMappingNode m)
        {
            Error(path, $"expected a mapping with keys {string.Join(", ", allowed)}, found {Describe(node)}");
            return null;
        }
        var result = new Dictionary<string, (YamlNode, string)>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            // An empty or non-scalar key still needs a visible path.
            var shown = k is YamlScalarNode ? (key.Length == 0 ? "''" : key) : $"({Describe(k)} as a key)";
            var childPath = path.Length == 0 ? shown : $"{path}.{shown}";
            if (!allowed.Contains(key, StringComparer.Ordinal))
                Error(childPath, $"unknown key '{key}' (expected one of: {string.Join(", ", allowed)})");
            else if (!result.TryAdd(key, (v, childPath)))
                Error(childPath, $"duplicate key '{key}'");
        }
        return result;
    }

    public string? String(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } v }) return v;
        Error(path, $"expected a non-empty string, found {Describe(node)}");
        return null;
    }

    public int? Int(YamlNode node, string path, int min, string what)
    {
        if (node is YamlScalarNode { Value: { } v } && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= min)
            return i;
        Error(path, $"{Describe(node)} is not {what}");
        return null;
    }

    public double? Double(YamlNode node, string path, double min, double max, string what)
    {
        if (node is YamlScalarNode { Value: { } v } && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && d >= min && d <= max && double.IsFinite(d))
            return d;
        Error(path, $"{Describe(node)} is not {what}");
        return null;
    }

    public bool? Bool(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: "true" or "True" or "false" or "False" } s) return s.Value!.Equals("true", StringComparison.OrdinalIgnoreCase);
        Error(path, $"{Describe(node)} is not true or false");
        return null;
    }

    /// <summary>A sequence (or a single scalar, read as a one-element list) of items read by <paramref name="item"/>.</summary>
    public List<T> List<T>(YamlNode node, string path, Func<YamlNode, string, T?> item, bool allowEmpty = false) where T : struct
    {
        var result = new List<T>();
        foreach (var (n, p) in Items(node, path, allowEmpty))
            if (item(n, p) is { } v) result.Add(v);
        return result;
    }

    /// <summary>Like <see cref="List{T}"/> for reference-typed items.</summary>
    public List<string> Strings(YamlNode node, string path, bool allowEmpty = false)
    {
        var result = new List<string>();
        foreach (var (n, p) in Items(node, path, allowEmpty))
            if (String(n, p) is { } v) result.Add(v);
        return result;
    }

    /// <summary>The children of a sequence with their paths; a scalar counts as a sequence of one.</summary>
    public IEnumerable<(YamlNode Node, string Path)> Items(YamlNode node, string path, bool allowEmpty = false)
    {
        if (node is YamlScalarNode) return [(node, path)];
        if (node is not YamlSequenceNode s)
        {
            Error(path, $"expected a list, found {Describe(node)}");
            return [];
        }
        if (s.Children.Count == 0 && !allowEmpty) Error(path, "the list is empty");
        // A repeated value (methods: [dggrn, dggrn], seed: [0, 0]) is a typo or a copy-paste slip, never intended.
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < s.Children.Count; i++)
            if (s.Children[i] is YamlScalarNode { Value: { Length: > 0 } v } && !seen.TryAdd(v, i))
                Error($"{path}[{i}]", $"duplicate value '{v}' (already at {path}[{seen[v]}])");
        return s.Children.Select((c, i) => (c, $"{path}[{i}]"));
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode { Value: null or "" } => "an empty value",
        YamlScalarNode s => s.Value!,
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };
}
