using YamlDotNet.RepresentationModel;

namespace Dggrn.Deploy.Tests.Parsing;

/// <summary>Reads YAML files into node trees and walks them with clear failures.</summary>
public static class YamlFiles
{
    /// <summary>Every document of a (possibly multi-document) YAML file; a syntax error fails naming the file.</summary>
    public static IReadOnlyList<YamlMappingNode> Documents(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            try { stream.Load(reader); }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new InvalidDataException($"{path}: YAML does not parse at {e.Start}: {e.Message}", e);
            }
        }
        return stream.Documents
            .Where(d => d.RootNode is not YamlScalarNode { Value: null or "" })
            .Select(d => d.RootNode as YamlMappingNode
                         ?? throw new InvalidDataException($"{path}: a document's root must be a mapping, found {d.RootNode.NodeType}"))
            .ToList();
    }

    /// <summary>The single document of a file.</summary>
    public static YamlMappingNode Document(string path) =>
        Documents(path) is [var only] ? only : throw new InvalidDataException($"{path}: expected one YAML document");

    /// <summary>A child node by key, or null; merge keys (<c>&lt;&lt;: *anchor</c>) count, explicit keys win.</summary>
    public static YamlNode? Child(this YamlMappingNode map, string key)
    {
        if (map.Children.TryGetValue(new YamlScalarNode(key), out var direct)) return direct;
        if (!map.Children.TryGetValue(new YamlScalarNode("<<"), out var merge)) return null;
        var sources = merge switch
        {
            YamlMappingNode m => [m],
            YamlSequenceNode s => s.Children.OfType<YamlMappingNode>().ToList(),
            _ => new List<YamlMappingNode>(),
        };
        return sources.Select(s => s.Child(key)).FirstOrDefault(n => n is not null);
    }

    /// <summary>Keys of a mapping including those merged in.</summary>
    public static IEnumerable<string> Keys(this YamlMappingNode map)
    {
        var keys = new List<string>();
        foreach (var (k, v) in map.Children)
        {
            var name = ((YamlScalarNode)k).Value!;
            if (name != "<<") { if (!keys.Contains(name)) keys.Add(name); continue; }
            var sources = v is YamlSequenceNode s ? s.Children.OfType<YamlMappingNode>() : [(YamlMappingNode)v];
            foreach (var src in sources)
                foreach (var inner in src.Keys())
                    if (!keys.Contains(inner)) keys.Add(inner);
        }
        return keys;
    }

    /// <summary>Child mapping, or null.</summary>
    public static YamlMappingNode? Map(this YamlMappingNode map, string key) => map.Child(key) as YamlMappingNode;

    /// <summary>Child sequence, or null.</summary>
    public static YamlSequenceNode? Seq(this YamlMappingNode map, string key) => map.Child(key) as YamlSequenceNode;

    /// <summary>Child scalar's text, or null.</summary>
    public static string? Str(this YamlMappingNode map, string key) => (map.Child(key) as YamlScalarNode)?.Value;

    /// <summary>Follows a path of mapping keys; null when any step is missing.</summary>
    public static YamlNode? At(this YamlMappingNode map, params string[] path)
    {
        YamlNode? node = map;
        foreach (var step in path) node = (node as YamlMappingNode)?.Child(step);
        return node;
    }

    /// <summary>Scalars of a sequence (non-scalars are skipped).</summary>
    public static IReadOnlyList<string> Strings(this YamlSequenceNode? seq) =>
        seq?.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList() ?? [];
}
