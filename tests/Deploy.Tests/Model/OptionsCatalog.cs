using System.Text.RegularExpressions;

namespace Dggrn.Deploy.Tests.Model;

/// <summary>
/// The configuration surface of the services, read from their C# sources: every <c>*Options</c> class under src/
/// with its public settable properties. Read from source rather than by reflection so this fast test project
/// needs no reference to the services (the worker's reference would copy ~500 MB of libtorch here). The
/// parser's reach is small and checked by its own test (known properties must be found).
/// </summary>
public sealed partial class OptionsCatalog
{
    readonly Dictionary<string, Dictionary<string, string>> _classes = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _serviceSources = new();

    /// <summary>Scans src/ under <paramref name="repoRoot"/>.</summary>
    public OptionsCatalog(string repoRoot)
    {
        var src = System.IO.Path.Combine(repoRoot, "src");
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains("/obj/") || file.Contains("/bin/")) continue;
            var text = File.ReadAllText(file);
            foreach (Match m in ClassDecl().Matches(text))
            {
                var body = ClassBody(text, m.Index + m.Length);
                var props = _classes.TryGetValue(m.Groups["name"].Value, out var p) ? p : _classes[m.Groups["name"].Value] = new(StringComparer.OrdinalIgnoreCase);
                foreach (Match pm in Property().Matches(body)) props[pm.Groups["name"].Value] = pm.Groups["type"].Value.TrimEnd('?');
            }
        }
        foreach (var (service, project) in Repo.ServiceProjects)
        {
            // The service's component folder (src/<Service>), which holds the executable and the libraries it hosts
            // (the orchestrator's executable is src/Orchestrator/Cli; what it reads is configured in src/Orchestrator).
            var dir = System.IO.Path.Combine(repoRoot, string.Join('/', project.Split('/').Take(2)));
            _serviceSources[service] = string.Join("\n", Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")).Select(File.ReadAllText));
        }
    }

    /// <summary>Options classes found, by name.</summary>
    public IReadOnlyCollection<string> ClassNames => _classes.Keys;

    /// <summary>Properties of an options class (name to type), case-insensitive as configuration binding is.</summary>
    public IReadOnlyDictionary<string, string>? Properties(string className) => _classes.GetValueOrDefault(className);

    /// <summary>Whether the service's own sources (src/&lt;Service&gt;/**) mention a text.</summary>
    public bool ServiceMentions(string service, string text) => _serviceSources[service].Contains(text, StringComparison.Ordinal);

    /// <summary>
    /// Why the service does not read the configuration key (":"-separated), or null when it does. A section key
    /// <c>S:P[:Q]</c> is read when class <c>SOptions</c> exists, the service's sources use it, and P (and Q in P's
    /// options type) is one of its settable properties.
    /// </summary>
    public string? WhyNotRead(string service, string key)
    {
        var parts = key.Split(':');
        if (parts.Length < 2) return $"'{key}' is no Section:Key";
        var cls = parts[0] + "Options";
        if (!_classes.TryGetValue(cls, out var props)) return $"no options class {cls} under src/";
        if (!ServiceMentions(service, cls)) return $"src of the {service} never uses {cls}";
        for (var i = 1; i < parts.Length; i++)
        {
            if (!props.TryGetValue(parts[i], out var type)) return $"{cls} has no settable property {parts[i]}";
            if (i == parts.Length - 1) return null;
            if (!_classes.TryGetValue(type, out props)) return $"{parts[i]} of {cls} is {type}, not an options class with sub-keys";
            cls = type;
        }
        return null;
    }

    static string ClassBody(string text, int from)
    {
        var open = text.IndexOf('{', from);
        if (open < 0) return "";
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return text[(open + 1)..i];
        }
        return text[(open + 1)..];
    }

    [GeneratedRegex(@"\b(?:class|record)\s+(?<name>\w+Options)\b")]
    private static partial Regex ClassDecl();

    // `public T Name { get; set; }` or `{ get; init; }` (binding sets both), any initialiser after it.
    [GeneratedRegex(@"public\s+(?:required\s+)?(?<type>[\w.<>,\[\]? ]+?)\s+(?<name>\w+)\s*\{\s*get;\s*(?:set|init);")]
    private static partial Regex Property();
}
