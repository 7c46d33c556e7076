using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CsCheck;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Specs;
using Xunit.Abstractions;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Property-based tests (CsCheck) of spec compilation: random YAML/JSON documents built from the spec's own
/// vocabulary, and random damage to the presets, only ever end in spec errors with paths (or a valid grid), never in
/// another exception.</summary>
public sealed class SpecFuzzTests(ITestOutputHelper output)
{
    const int Cases = 10_000;

    /// <summary>A low trial limit keeps the rare valid-and-large document cheap to expand.</summary>
    /// <summary>The paper preset's datasets are configured (as phantoms) so that damaged copies of it can compile too.</summary>
    static readonly Dggrn.Orchestrator.Specs.SpecCompiler Compiler = SpecLimitsTests.Compiler(
        new()
        {
            ["Datasets:BrainWeb:Train"] = "phantom:seed=1", ["Datasets:BrainWeb:Test"] = "phantom:seed=2",
            ["Datasets:NAMIC:Train"] = "phantom:seed=3", ["Datasets:NAMIC:Test"] = "phantom:seed=4",
            ["Datasets:IXI:Train"] = "phantom:seed=5", ["Datasets:IXI:Test"] = "phantom:seed=6",
        },
        new OrchestratorOptions { MaxTrialsPerExperiment = 400 });

    static readonly string[] KeyWords =
    [
        "name", "description", "protocol", "priority", "device", "datasets", "training", "grid", "modality", "train", "test",
        "tables", "methods", "blocks", "filters", "scale", "seed", "epochs", "batchSize", "learningRate", "lrDecay",
        "lrDecayEvery", "patchSize", "patchStride", "stepsPerEpoch", "earlyStopPatience", "checkpointEvery", "keepBest",
        "augment", "elasticProbability", "trainAxes", "testAxes", "logEverySteps", "params", "colour", "",
    ];

    static readonly string[] Scalars =
    [
        "0", "1", "2", "3", "-1", "8", "64", "2147483647", "2147483648", "-2147483649", "99999999999999999999", "1e400", "-0",
        "0.5", "1e-4", ".inf", "-.inf", ".nan", "NaN", "true", "false", "maybe", "null", "~", "", " ", "dggrn", "resnet",
        "bicubic", "noop", "DGGRN", "transformer", "cpu", "cuda", "any", "gpu", "P", "Q", "phantom:seed=1", "phantom:seed=2",
        "phantom:seed=x", "phantom:", "phantom:seed=1,grid=8x8x8", "phantom:seed=1,grid=16x16x16", "../../etc/passwd",
        "/etc/passwd", "/etc/*.conf", "/**/*.nii", "*.nii", "data/*.nii", "data/../../x", "a\u0000b", "é", "1", "fig6",
        "dggrn-v1", "x: y", "[", "{", "*", "&a", "'q'", "\"q\"", "#",
    ];

    /// <summary>A random value tree: scalars, lists and mappings keyed by spec words, up to <paramref name="depth"/>.</summary>
    static Gen<object?> Value(int depth) => depth == 0
        ? Gen.OneOf(Scalars).Select(s => (object?)s)
        : Gen.Frequency(
            (4, Gen.OneOf(Scalars).Select(s => (object?)s)),
            (2, Value(depth - 1).List[0, 4].Select(l => (object?)l)),
            (3, Gen.Select(Gen.OneOf(KeyWords), Value(depth - 1)).List[0, 5]
                .Select(kvs => (object?)kvs.GroupBy(kv => kv.Item1).ToDictionary(g => g.Key, g => g.First().Item2))));

    /// <summary>A well-formed dataset list, so that random blocks can meet a dataset that resolves.</summary>
    static readonly Gen<object?> GoodDatasets = Gen.Const(0).Select(_ => (object?)new List<object?>
    {
        new Dictionary<string, object?> { ["name"] = "P", ["train"] = new List<object?> { "phantom:seed=1" }, ["test"] = new List<object?> { "phantom:seed=2" } },
    });

    /// <summary>A well-formed block, half of the time with one random key added or replaced.</summary>
    static readonly Gen<object?> NearlyGoodGrid = Gen.Select(Gen.OneOf(KeyWords), Value(1), Gen.Bool).Select((key, value, alter) =>
    {
        var block = new Dictionary<string, object?> { ["methods"] = new List<object?> { "dggrn" }, ["scale"] = new List<object?> { "2" } };
        if (alter) block[key] = value;
        return (object?)new List<object?> { block };
    });

    /// <summary>A document that looks like a spec: the top keys mostly present, their contents random or nearly right.</summary>
    static readonly Gen<object?> SpecLike =
        from name in Gen.OneOf(Scalars)
        from datasets in Gen.Frequency((1, Value(3)), (1, GoodDatasets))
        from grid in Gen.Frequency((1, Value(3)), (1, NearlyGoodGrid))
        from training in Value(2)
        from extra in Gen.Select(Gen.OneOf(KeyWords), Value(2)).List[0, 1]
        from drop in Gen.Int[0, 7]
        select (object?)BuildTop(name, datasets, grid, training, extra, drop);

    static Dictionary<string, object?> BuildTop(string name, object? datasets, object? grid, object? training, List<(string, object?)> extra, int drop)
    {
        var top = new Dictionary<string, object?>();
        if (drop != 1) top["name"] = name;
        if (drop != 2) top["datasets"] = datasets;
        if (drop != 3) top["grid"] = grid;
        if (drop is 4 or 5) top["training"] = training;
        foreach (var (k, v) in extra) top.TryAdd(k, v);
        return top;
    }

    /// <summary>YAML in flow style (which is also how JSON reads), with scalars quoted or plain at random.</summary>
    static string Yaml(object? v, Random r) => v switch
    {
        null => "null",
        string s => r.Next(3) == 0 ? JsonSerializer.Serialize(s) : s.Length == 0 ? "''" : s,
        List<object?> l => "[" + string.Join(", ", l.Select(x => Yaml(x, r))) + "]",
        Dictionary<string, object?> m => "{" + string.Join(", ", m.Select(kv => $"{(kv.Key.Length == 0 ? "''" : kv.Key)}: {Yaml(kv.Value, r)}")) + "}",
        _ => v.ToString()!,
    };

    static string Json(object? v) => v switch
    {
        null => "null",
        string s => long.TryParse(s, out _) ? s : JsonSerializer.Serialize(s),
        List<object?> l => "[" + string.Join(",", l.Select(Json)) + "]",
        Dictionary<string, object?> m => "{" + string.Join(",", m.Select(kv => $"{JsonSerializer.Serialize(kv.Key)}:{Json(kv.Value)}")) + "}",
        _ => JsonSerializer.Serialize(v.ToString()),
    };

    static readonly Gen<string> Documents =
        from doc in SpecLike
        from json in Gen.Bool
        from seed in Gen.Int
        select json ? Json(doc) : Yaml(doc, new Random(seed));

    /// <summary>A preset damaged by up to five edits: delete, insert a token, repeat or drop a line, re-indent, retype a number.</summary>
    static readonly Gen<string> DamagedPresets =
        from preset in Gen.OneOf(GridPresets.Names)
        from n in Gen.Int[1, 5]
        from edits in Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.OneOf(Scalars)).Array[n]
        select Damage(GridPresets.Get(preset)!, edits);

    static string Damage(string text, (int Kind, int Pos, string Token)[] edits)
    {
        foreach (var (kind, pos, token) in edits)
        {
            var lines = text.Split('\n').ToList();
            int at = pos % Math.Max(1, text.Length), line = pos % lines.Count;
            text = kind switch
            {
                0 => text.Remove(at, Math.Min(1 + pos % 7, text.Length - at)),
                1 => text.Insert(at, token),
                2 => string.Join('\n', lines.Take(line + 1).Concat(lines.Skip(line))),
                3 => string.Join('\n', lines.Where((_, i) => i != line)),
                4 => string.Join('\n', lines.Select((l, i) => i == line ? new string(' ', pos % 5) + l.TrimStart() : l)),
                _ => ReplaceNumber(text, pos, token),
            };
        }
        return text;
    }

    static string ReplaceNumber(string text, int pos, string token)
    {
        var digits = Enumerable.Range(0, text.Length).Where(i => char.IsDigit(text[i]) && (i == 0 || !char.IsDigit(text[i - 1]))).ToList();
        if (digits.Count == 0) return text;
        int start = digits[pos % digits.Count], end = start;
        while (end < text.Length && char.IsDigit(text[end])) end++;
        return text[..start] + token + text[end..];
    }

    /// <summary>The property: a grid within the limit, or errors that each name a path and a reason.</summary>
    static bool CompilesOrExplains(string doc)
    {
        var (grid, errors) = Compiler.Compile(doc, null, null);
        if (grid is not null)
        {
            Assert.Empty(errors);
            Assert.InRange(grid.Trials.Length, 1, 400);
            return true;
        }
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty(e.Path) || string.IsNullOrEmpty(e.Message), $"error without path or message in: {doc}"));
        return false;
    }

    int Run(Gen<string> gen, string what)
    {
        var clock = Stopwatch.StartNew();
        int count = 0, valid = 0;
        gen.Sample(doc =>
        {
            if (CompilesOrExplains(doc)) Interlocked.Increment(ref valid);
            Interlocked.Increment(ref count);
        }, iter: Cases);
        output.WriteLine($"{what}: {count} cases in {clock.Elapsed.TotalSeconds:F2} s, {valid} valid grids");
        Assert.Equal(Cases, count);
        return valid;
    }

    [Fact]
    public void Random_yaml_and_json_documents_only_ever_give_spec_errors() => Run(Documents, "random documents");

    [Fact]
    public void Damaged_presets_only_ever_give_spec_errors()
    {
        // Many single edits leave the smoke preset valid: the fuzzer must reach compiled grids too, not only errors.
        Assert.True(Run(DamagedPresets, "damaged presets") > 200, "too few damaged presets still compiled");
    }

    [Fact]
    public void Random_documents_reach_valid_grids_too()
    {
        int valid = 0;
        Documents.Sample(doc => { if (CompilesOrExplains(doc)) Interlocked.Increment(ref valid); }, iter: 2_000);
        Assert.True(valid > 20, $"{valid} of 2,000 random documents compiled");
    }
}
