using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Orchestrator.Specs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Bad grid specs (issue 9): wrong types, unknown keys, empty axes, absurd sizes, duplicates; every error with
/// its document path, all at once, and nothing stored.</summary>
public sealed class SpecLimitsTests
{
    /// <summary>The compiler the API uses, over in-memory configuration.</summary>
    public static SpecCompiler Compiler(Dictionary<string, string?>? configuration = null, OrchestratorOptions? options = null)
    {
        var c = new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build();
        var o = Options.Create(options ?? new OrchestratorOptions());
        return new SpecCompiler(new DatasetResolver(c, o), o);
    }

    static string[] Lines(SpecError[] errors) => [.. errors.Select(e => $"{e.Path}: {e.Message}")];

    /// <summary>2 methods x 6 scales x 18 block counts x 18 filter counts x 324 seeds = 1,259,712 cells (2^6 * 3^9).</summary>
    static readonly string MillionGrid = $"""
        name: huge
        datasets:
          - name: P
            train: ["phantom:seed=1"]
            test: ["phantom:seed=2"]
        grid:
          - methods: [dggrn, resnet]
            scale: [2, 3, 4, 5, 6, 7]
            blocks: [{string.Join(", ", Enumerable.Range(1, 18))}]
            filters: [{string.Join(", ", Enumerable.Range(1, 18))}]
            seed: [{string.Join(", ", Enumerable.Range(0, 324))}]
        """;

    [Fact]
    public void A_million_trial_grid_is_refused_with_its_count_without_expanding_it()
    {
        var clock = Stopwatch.StartNew();
        var (grid, errors) = Compiler().Compile(MillionGrid, null, null);
        clock.Stop();
        Assert.Null(grid);
        Assert.Equal(["grid: 1,259,712 trials exceeds the limit of 10,000 (Orchestrator:MaxTrialsPerExperiment)"], Lines(errors));
        // Expanding would hash 1.26 million trial identities (tens of seconds here); counting is instant.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");

        // The limit is configuration: the smoke grid (4 trials) passes a limit of 4 and fails a limit of 3.
        Assert.NotNull(Compiler(options: new OrchestratorOptions { MaxTrialsPerExperiment = 4 }).Compile(null, "smoke", null).Grid);
        var (_, small) = Compiler(options: new OrchestratorOptions { MaxTrialsPerExperiment = 3 }).Compile(null, "smoke", null);
        Assert.Equal(["grid: 4 trials exceeds the limit of 3 (Orchestrator:MaxTrialsPerExperiment)"], Lines(small));
    }

    [Fact]
    public void Wrong_types_unknown_keys_empty_axes_and_duplicates_are_all_reported_at_once()
    {
        const string spec = """
            name: [not, a, string]
            priority: high
            datasets:
              - name: P
                train: ["phantom:seed=1", "phantom:seed=1"]
                test: {a: 1}
              - name: P
                train: ["phantom:seed=3"]
                test: ["phantom:seed=4"]
            grid:
              - methods: [dggrn, resnet, dggrn]
                scale: []
                blocks: eight
                seed: [0, 0]
                colour: red
              - methods: []
                training: {epochs: [1], augment: maybe}
            """;
        var (grid, errors) = Compiler().Compile(spec, null, null);
        Assert.Null(grid);
        var lines = Lines(errors);
        // The list of allowed keys grows with the spec format; only its start is pinned here.
        Assert.StartsWith("grid[0].colour: unknown key 'colour' (expected one of: name, tables, methods,", lines[5]);
        lines[5] = "(unknown key)";
        Assert.Equal(
        [
            "name: expected a non-empty string, found a list",
            "priority: high is not an integer",
            "datasets[0].train[1]: duplicate value 'phantom:seed=1' (already at datasets[0].train[0])",
            "datasets[0].test: expected a list, found a mapping",
            "datasets[1].name: dataset 'P' is declared twice",
            "(unknown key)",
            "grid[0].methods[2]: duplicate value 'dggrn' (already at grid[0].methods[0])",
            "grid[0].blocks: eight is not a positive integer",
            "grid[0].scale: the list is empty",
            "grid[0].seed[1]: duplicate value '0' (already at grid[0].seed[0])",
            "grid[1].methods: the list is empty",
            "grid[1].training.epochs: a list is not a positive integer",
            "grid[1].training.augment: maybe is not true or false",
        ], lines);
    }

    [Fact]
    public void Absurd_network_and_training_sizes_are_refused_where_they_are_written()
    {
        const string spec = """
            name: big
            training: {patchSize: 100000}
            datasets: [{name: P, train: ["phantom:seed=1"], test: ["phantom:seed=2"]}]
            grid:
              - methods: [dggrn]
                blocks: [8, 100000]
                filters: 2147483647
                scale: [2, 64]
              - methods: [resnet]
                training: {batchSize: 1000000, patchSize: 100000}
            """;
        var (grid, errors) = Compiler().Compile(spec, null, null);
        Assert.Null(grid);
        Assert.Equal(
        [
            "training.patchSize: 100000 exceeds the limit of 256 (pixels per LR patch side)",
            "grid[0].blocks[1]: 100000 exceeds the limit of 256 (residual blocks)",
            "grid[0].filters[0]: 2147483647 exceeds the limit of 4096 (filters)",
            "grid[0].scale[1]: 64 exceeds the limit of 8 (largest scale)",
            "grid[1].training.batchSize: 1000000 exceeds the limit of 65536 (patches per batch)",
        ], Lines(errors));
    }

    [Fact]
    public void Deep_nesting_and_alias_bombs_are_refused_before_the_tree_is_built()
    {
        // 100,000 nested lists overflowed the stack of the YAML tree builder and killed the process before the check.
        var deep = $"name: x\ngrid: {new string('[', 100_000)}{new string(']', 100_000)}\n";
        Assert.Equal(["(document): line 2: expected lists and mappings nested at most 32 deep, found deeper nesting"], Lines(Compiler().Compile(deep, null, null).Errors));

        // Each level repeats the previous one ten times: level f alone stands for 1,111,111 values.
        var bomb = new System.Text.StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        foreach (var (name, prev) in new[] { ("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e"), ("g", "f"), ("h", "g") })
            bomb.Append($"{name}: &{name} [{string.Join(", ", Enumerable.Repeat("*" + prev, 10))}]\n");
        var clock = Stopwatch.StartNew();
        var errors = Compiler().Compile(bomb.ToString(), null, null).Errors;
        Assert.Equal(["(document): expected at most 1,000,000 values (aliases counted each time they are used), found more"], Lines(errors));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Refused_specs_create_nothing_in_the_database()
    {
        await using var s = await OrchestratorServer.StartAsync();
        string[] bad =
        [
            MillionGrid,
            "name: x\ndatasets: [{name: P, train: ['../../etc/passwd'], test: ['/etc/hostname']}]\ngrid: [{methods: [dggrn]}]\n",
            "name: x\ndatasets: [{name: P, train: ['phantom:seed=1'], test: ['phantom:seed=2']}]\ngrid: [{methods: [dggrn, dggrn]}]\n",
            "name: x\ndatasets: [{name: P, train: ['phantom:seed=1'], test: ['phantom:seed=2']}]\ngrid: [{methods: [dggrn], seed: []}]\n",
        ];
        foreach (var spec in bad)
        {
            var r = await s.Admin.PostAsJsonAsync("/api/experiments", new SubmitRequest(spec, null));
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            var body = (await r.Content.ReadFromJsonAsync<SpecErrorsResponse>(OrchestratorServer.Json))!;
            Assert.NotEmpty(body.Errors);
            Assert.All(body.Errors, e => Assert.False(string.IsNullOrEmpty(e.Path)));
        }
        var traversal = await s.Admin.PostAsJsonAsync("/api/specs/validate", new SubmitRequest(bad[1], null));
        var errors = (await traversal.Content.ReadFromJsonAsync<SpecErrorsResponse>(OrchestratorServer.Json))!.Errors;
        Assert.Equal(["datasets[0].train[0]", "datasets[0].test[0]"], errors.Select(e => e.Path));

        var b = new DbContextOptionsBuilder<LabDbContext>();
        LabDbContext.Configure(b, s.Database.ConnectionString);
        await using var db = new LabDbContext(b.Options);
        Assert.Equal(0, await db.Experiments.CountAsync());
        Assert.Equal(0, await db.Trials.CountAsync());
    }
}
