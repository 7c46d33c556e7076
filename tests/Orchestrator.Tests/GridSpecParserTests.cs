using Dggrn.Orchestrator.Specs;

namespace Dggrn.Orchestrator.Tests;

public sealed class GridSpecParserTests
{
    [Fact]
    public void Reports_every_error_at_once_with_its_path()
    {
        const string spec = """
            name: bad
            colour: blue
            datasets:
              - name: A
                train: [x.nii]
                test: [y.nii]
                size: 3
            training: { epochs: 0, batchSize: -4, learningRate: fast }
            grid:
              - methods: [dggrn]
                filters: [64]
              - methods: [dggrn, transformer]
                datasets: [A, B]
                filters: [32, 64, 0]
                scale: [1]
                seed: [-1]
                training: { patchSize: 0, trainAxes: [0, 3] }
                oops: true
            """;
        var (parsed, errors) = GridSpecParser.Parse(spec);
        Assert.Null(parsed);
        var lines = errors.Select(e => $"{e.Path}: {e.Message}").ToList();
        Assert.Contains("grid[1].filters[2]: 0 is not a positive integer", lines);
        Assert.Contains(lines, l => l.StartsWith("colour: unknown key 'colour'"));
        Assert.Contains(lines, l => l.StartsWith("datasets[0].size: unknown key 'size'"));
        Assert.Contains("training.epochs: 0 is not a positive integer", lines);
        Assert.Contains("training.batchSize: -4 is not a positive integer", lines);
        Assert.Contains(lines, l => l.StartsWith("training.learningRate: fast is not a learning rate"));
        Assert.Contains(lines, l => l.StartsWith("grid[1].methods[1]: unknown method 'transformer'"));
        Assert.Contains(lines, l => l.StartsWith("grid[1].datasets[1]: unknown dataset 'B'"));
        Assert.Contains("grid[1].scale[0]: 1 is not an integer scale of at least 2", lines);
        Assert.Contains("grid[1].seed[0]: -1 is not a non-negative integer", lines);
        Assert.Contains("grid[1].training.patchSize: 0 is not a positive integer", lines);
        Assert.Contains("grid[1].training.trainAxes[1]: 3 is not an axis 0, 1 or 2", lines);
        Assert.Contains(lines, l => l.StartsWith("grid[1].oops: unknown key 'oops'"));
        Assert.Equal(13, errors.Length);
    }

    [Fact]
    public void Missing_required_keys_and_yaml_syntax_are_reported()
    {
        var (_, errors) = GridSpecParser.Parse("description: nothing else\n");
        Assert.Equal(["name", "datasets", "grid"], errors.Select(e => e.Path));
        var (_, syntax) = GridSpecParser.Parse("name: [unclosed\n");
        Assert.StartsWith("line ", Assert.Single(syntax).Message);
    }

    [Fact]
    public void Json_documents_and_defaults_from_the_protocol()
    {
        const string json = """
            {"name": "j", "datasets": [{"name": "P", "train": ["phantom:seed=1"], "test": ["phantom:seed=2"]}],
             "training": {"epochs": 3},
             "grid": [{"tables": ["1", "fig6"], "methods": ["DGGRN"], "scale": [2, 4]}]}
            """;
        var (spec, errors) = GridSpecParser.Parse(json);
        Assert.Empty(errors);
        var b = Assert.Single(spec!.Grid);
        Assert.Equal(["dggrn"], b.Methods);
        Assert.Equal([8], b.Blocks);
        Assert.Equal([64], b.Filters);
        Assert.Equal([0], b.Seed);
        Assert.Equal(["P"], b.Datasets);
        // Overridden epochs; the rest are PROTOCOL.md's: batch 64, lr 1e-4, x0.9 every 20 epochs, 12x12 patches.
        Assert.Equal((3, 64, 1e-4, 0.9, 20, 12), (b.Training.Epochs, b.Training.BatchSize, b.Training.LearningRate, b.Training.LrDecay, b.Training.LrDecayEvery, b.Training.PatchSize));
    }

    [Fact]
    public void Presets_parse()
    {
        foreach (var name in GridPresets.Names)
        {
            var (spec, errors) = GridSpecParser.Parse(GridPresets.Get(name)!);
            Assert.True(errors.Length == 0, string.Join("; ", errors.Select(e => e.ToString())));
            Assert.Equal(name, spec!.Name);
        }
    }

    [Fact]
    public void All_seven_table_one_methods_are_accepted()
    {
        const string spec = """
            name: seven
            datasets: [{name: P, train: ["phantom:seed=1"], test: ["phantom:seed=2"]}]
            grid:
              - methods: [DGGRN, resnet, SCSR, ReCNN, bicubic, NMU, lrtv]
            """;
        var (parsed, errors) = GridSpecParser.Parse(spec);
        Assert.Empty(errors);
        Assert.Equal(["dggrn", "resnet", "scsr", "recnn", "bicubic", "nmu", "lrtv"], Assert.Single(parsed!.Grid).Methods);
        Assert.Null(parsed.Grid[0].Params);
    }

    [Fact]
    public void Params_are_read_per_method()
    {
        const string spec = """
            name: p
            datasets: [{name: P, train: ["phantom:seed=1"], test: ["phantom:seed=2"]}]
            grid:
              - methods: [nmu, lrtv, bicubic]
                params:
                  nmu: {patchRadius: 2, h: 0.03}
                  lrtv: {lambdaTv: 0.005, maxIterations: 20}
            """;
        var (parsed, errors) = GridSpecParser.Parse(spec);
        Assert.Empty(errors);
        var p = Assert.Single(parsed!.Grid).Params!;
        Assert.Equal(["lrtv", "nmu"], p.Keys.Order());
        Assert.Equal(2.0, p["nmu"]["patchRadius"]);
        Assert.Equal(0.03, p["nmu"]["h"]);
        Assert.Equal(0.005, p["lrtv"]["lambdaTv"]);
        Assert.Equal(20.0, p["lrtv"]["maxIterations"]);
    }

    [Fact]
    public void Bad_params_are_refused_with_their_paths()
    {
        const string spec = """
            name: p
            datasets: [{name: P, train: ["phantom:seed=1"], test: ["phantom:seed=2"]}]
            grid:
              - methods: [nmu, dggrn]
                params:
                  nmu: {patchRadius: 1.5, radius: 3, searchRadius: 0, h: strong}
                  lrtv: {rho: 1}
                  dggrn: {depth: 3}
                  transformer: {x: 1}
              - methods: [lrtv]
                params: 3
            """;
        var (parsed, errors) = GridSpecParser.Parse(spec);
        Assert.Null(parsed);
        var lines = errors.Select(e => $"{e.Path}: {e.Message}").ToList();
        Assert.Contains("grid[0].params.nmu.patchRadius: 1.5 is not an integer in [1, 3]", lines);
        Assert.Contains(lines, l => l.StartsWith("grid[0].params.nmu.radius: unknown key 'radius' (expected one of: patchRadius, searchRadius, h, hDecay, tolerance, maxIterations)"));
        Assert.Contains("grid[0].params.nmu.searchRadius: 0 is not an integer in [1, 10]", lines);
        Assert.Contains("grid[0].params.nmu.h: strong is not a number in [0.0001, 1]", lines);
        Assert.Contains(lines, l => l.StartsWith("grid[0].params.lrtv: method 'lrtv' is not in this block's methods (nmu, dggrn)"));
        Assert.Contains(lines, l => l.StartsWith("grid[0].params.dggrn: method 'dggrn' takes no parameters"));
        Assert.Contains(lines, l => l.StartsWith("grid[0].params.transformer: unknown key 'transformer'"));
        Assert.Contains(lines, l => l.StartsWith("grid[1].params: expected a mapping"));
        Assert.Equal(8, errors.Length);
    }
}
