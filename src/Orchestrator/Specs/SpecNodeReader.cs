using System.Globalization;
using Dggrn.Contracts.Api;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Dggrn.Orchestrator.Specs;

/// <summary>Reads typed values out of a YAML/JSON node tree, collecting every problem with its document path.</summary>
/// <remarks>Readers never throw on bad input: they record an error and return a fallback, so one pass finds all errors.</remarks>
internal sealed class SpecNodeReader
{
    readonly List<SpecError> _errors = [];

    /// <summary>Deepest nesting of lists and mappings a spec may have (a real spec needs 5).</summary>
    public const int MaxDepth = 32;

    /// <summary>Most nodes a spec may reach, aliases counted as often as they are used (the paper grid has a few hundred).</summary>
    public const long MaxNodes = 1_000_000;

    /// <summary>
    /// Why <paramref name="text"/> must not be loaded into a node tree, or null. Checked on YamlDotNet's event stream,
    /// which is iterative: building the tree recurses once per level, and a request of 100,000 '[' overflowed the stack
    /// and killed the process; aliases of aliases ("billion laughs") would make the readers walk billions of nodes.
    /// </summary>
    public static string? DocumentProblem(string text)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new Stack<(string? Anchor, long Start)>();
        long nodes = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case Scalar sc:
                    nodes++;
                    if (!sc.Anchor.IsEmpty) anchors[sc.Anchor.Value] = 1;
                    break;
                case NodeEvent { } start and (SequenceStart or MappingStart):
                    if (open.Count >= MaxDepth)
                        return $"line {start.Start.Line}: expected lists and mappings nested at most {MaxDepth} deep, found deeper nesting";
                    nodes++;
                    open.Push((start.Anchor.IsEmpty ? null : start.Anchor.Value, nodes));
                    break;
                case SequenceEnd or MappingEnd when open.Count > 0:
                    var (anchor, begun) = open.Pop();
                    if (anchor is not null) anchors[anchor] = nodes - begun + 1;
                    break;
                case AnchorAlias alias:
                    nodes += anchors.GetValueOrDefault(alias.Value.Value, 1);
                    break;
            }
            if (nodes > MaxNodes)
                return $"expected at most {MaxNodes.ToString("N0", CultureInfo.InvariantCulture)} values (aliases counted each time they are used), found more";
        }
        return null;
    }

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
