using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Dggrn.Orchestrator.Specs;

/// <summary>Parses a grid document (YAML, or JSON which YAML reads too) into a <see cref="GridSpec"/>.</summary>
/// <remarks>Every problem is reported at once with its path; a spec with any error yields no <see cref="GridSpec"/>.</remarks>
public static class GridSpecParser
{
    /// <summary>Methods a worker knows how to run.</summary>
    public static readonly string[] KnownMethods = ["dggrn", "resnet", "scsr", "recnn", "bicubic", "nmu", "lrtv", "noop"];

    static readonly string[] TopKeys = ["name", "description", "protocol", "priority", "device", "datasets", "training", "grid"];
    static readonly string[] DatasetKeys = ["name", "modality", "train", "test"];
    static readonly string[] BlockKeys = ["name", "tables", "methods", "datasets", "blocks", "filters", "scale", "seed", "training", "params"];
    static readonly string[] Devices = ["any", "cpu", "cuda"];

    /// <summary>Parses <paramref name="text"/>; returns the spec, or null with the errors.</summary>
    public static (GridSpec? Spec, SpecError[] Errors) Parse(string text)
    {
        var stream = new YamlStream();
        try
        {
            if (SpecNodeReader.DocumentProblem(text) is { } problem) return (null, [new SpecError("(document)", problem)]);
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return (null, [new SpecError("(document)", $"line {e.Start.Line}, column {e.Start.Column}: {e.Message}")]);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // YamlDotNet also throws InvalidOperationException and ArgumentException (not YamlException) on some malformed
            // documents, e.g. "- : x" or a cut-off plain scalar; found by SpecFuzzTests.
            return (null, [new SpecError("(document)", $"not valid YAML or JSON ({e.Message})")]);
        }
        if (stream.Documents.Count != 1)
            return (null, [new SpecError("(document)", $"expected one document, found {stream.Documents.Count}")]);

        var r = new SpecNodeReader();
        var top = r.Mapping(stream.Documents[0].RootNode, "", TopKeys);
        if (top is null) return (null, [.. r.Errors]);

        string? name = top.TryGetValue("name", out var n) ? r.String(n.Node, n.Path) : Missing(r, "name", "a non-empty string");
        var protocol = top.TryGetValue("protocol", out var pr) ? r.String(pr.Node, pr.Path) ?? "dggrn-v1" : "dggrn-v1";
        var priority = top.TryGetValue("priority", out var pri) ? r.Int(pri.Node, pri.Path, int.MinValue, "an integer") ?? 0 : 0;
        var device = "any";
        if (top.TryGetValue("device", out var dev))
        {
            var d = r.String(dev.Node, dev.Path);
            if (d is not null && !Devices.Contains(d)) r.Error(dev.Path, $"{d} is not one of {string.Join(", ", Devices)}");
            else if (d is not null) device = d;
        }
        var training = top.TryGetValue("training", out var tr) ? TrainingSettingsReader.Read(r, tr.Node, tr.Path, new TrainingSettings()) : new TrainingSettings();

        var datasets = new List<DatasetSpec>();
        if (top.TryGetValue("datasets", out var ds))
        {
            foreach (var (node, path) in r.Items(ds.Node, ds.Path))
                if (ReadDataset(r, node, path) is { } d)
                {
                    if (datasets.Any(x => x.Name == d.Name)) r.Error($"{path}.name", $"dataset '{d.Name}' is declared twice");
                    else datasets.Add(d);
                }
        }
        else Missing(r, "datasets", "a list of datasets");

        var blocks = new List<GridBlockSpec>();
        if (top.TryGetValue("grid", out var g))
        {
            foreach (var (node, path) in r.Items(g.Node, g.Path))
                if (ReadBlock(r, node, path, training, datasets) is { } b) blocks.Add(b);
        }
        else Missing(r, "grid", "a list of grid blocks");

        if (r.Errors.Count > 0 || name is null) return (null, [.. r.Errors]);
        return (new GridSpec { Name = name, Protocol = protocol, Priority = priority, Device = device, Datasets = [.. datasets], Training = training, Grid = [.. blocks] }, []);
    }

    static string? Missing(SpecNodeReader r, string key, string what)
    {
        r.Error(key, $"is missing (expected {what})");
        return null;
    }

    static DatasetSpec? ReadDataset(SpecNodeReader r, YamlNode node, string path)
    {
        var m = r.Mapping(node, path, DatasetKeys);
        if (m is null) return null;
        string? name = m.TryGetValue("name", out var n) ? r.String(n.Node, n.Path) : null;
        if (!m.ContainsKey("name")) r.Error($"{path}.name", "is missing (expected the dataset's name)");
        var modality = m.TryGetValue("modality", out var mo) ? r.String(mo.Node, mo.Path) ?? "T2" : "T2";
        var train = m.TryGetValue("train", out var t) ? r.Strings(t.Node, t.Path) : [];
        var test = m.TryGetValue("test", out var te) ? r.Strings(te.Node, te.Path) : [];
        return name is null ? null : new DatasetSpec(name, modality, [.. train], [.. test], path);
    }

    static GridBlockSpec? ReadBlock(SpecNodeReader r, YamlNode node, string path, TrainingSettings defaults, List<DatasetSpec> datasets)
    {
        var m = r.Mapping(node, path, BlockKeys);
        if (m is null) return null;
        int before = r.Errors.Count;
        var tables = m.TryGetValue("tables", out var t) ? r.Strings(t.Node, t.Path) : [];
        var methods = new List<string>();
        if (m.TryGetValue("methods", out var me))
        {
            foreach (var (mn, mp) in r.Items(me.Node, me.Path))
                if (r.String(mn, mp) is { } s)
                {
                    if (KnownMethods.Contains(s.ToLowerInvariant())) methods.Add(s.ToLowerInvariant());
                    else r.Error(mp, $"unknown method '{s}' (expected one of: {string.Join(", ", KnownMethods)})");
                }
        }
        else r.Error($"{path}.methods", "is missing (expected a list of methods)");
        var names = datasets.Select(d => d.Name).ToList();
        if (m.TryGetValue("datasets", out var ds))
        {
            names = [];
            foreach (var (dn, dp) in r.Items(ds.Node, ds.Path))
                if (r.String(dn, dp) is { } s)
                {
                    if (datasets.Any(d => d.Name == s)) names.Add(s);
                    else r.Error(dp, $"unknown dataset '{s}' (declared: {string.Join(", ", datasets.Select(d => d.Name))})");
                }
        }
        int[] Axis(string key, int fallback, int min, string what) => m.TryGetValue(key, out var a)
            ? [.. r.List(a.Node, a.Path, (x, p) => r.Int(x, p, min, what))]
            : [fallback];
        var blocks = Axis("blocks", 8, 1, "a positive integer");
        var filters = Axis("filters", 64, 1, "a positive integer");
        var scale = Axis("scale", 2, 2, "an integer scale of at least 2");
        var seed = Axis("seed", 0, 0, "a non-negative integer");
        var training = m.TryGetValue("training", out var tr) ? TrainingSettingsReader.Read(r, tr.Node, tr.Path, defaults) : defaults;
        var parameters = m.TryGetValue("params", out var pa) ? ReadParams(r, pa.Node, pa.Path, methods) : null;
        if (r.Errors.Count > before) return null;
        return new GridBlockSpec
        {
            Tables = [.. tables], Methods = [.. methods], Datasets = [.. names], Blocks = blocks, Filters = filters,
            Scale = scale, Seed = seed, Training = training, Params = parameters, Path = path,
        };
    }

    /// <summary>Reads <c>params: {METHOD: {NAME: NUMBER, ...}, ...}</c>: every method must be one of the block's methods and
    /// take parameters, every name one of that method's (<see cref="MethodParameters.ByMethod"/>), every value in range.</summary>
    static Dictionary<string, IReadOnlyDictionary<string, double>>? ReadParams(SpecNodeReader r, YamlNode node, string path, List<string> methods)
    {
        var withParams = MethodParameters.ByMethod.Keys.ToArray();
        var byMethod = r.Mapping(node, path, withParams.Concat(KnownMethods.Except(withParams)).ToArray());
        if (byMethod is null) return null;
        var result = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        foreach (var (method, (mn, mp)) in byMethod)
        {
            if (!MethodParameters.ByMethod.TryGetValue(method, out var known))
            {
                r.Error(mp, $"method '{method}' takes no parameters (methods with parameters: {string.Join(", ", withParams)})");
                continue;
            }
            if (!methods.Contains(method))
            {
                r.Error(mp, $"method '{method}' is not in this block's methods ({string.Join(", ", methods)}); its parameters would apply to nothing");
                continue;
            }
            var values = r.Mapping(mn, mp, [.. known.Keys]);
            if (values is null) continue;
            var parsed = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var (name, (vn, vp)) in values)
            {
                var (min, max, integer) = known[name];
                string what = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(integer ? "an integer" : "a number")} in [{min}, {max}]");
                if (r.Double(vn, vp, min, max, what) is not { } v) continue;
                if (integer && v != Math.Floor(v)) r.Error(vp, $"{SpecNodeReader.Describe(vn)} is not {what}");
                else parsed[name] = v;
            }
            if (parsed.Count > 0) result[method] = parsed;
        }
        return result.Count > 0 ? result : null;
    }
}
