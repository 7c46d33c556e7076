using System.Text.Json.Nodes;
using Bunit;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Components.Shared;
using Dggrn.Dashboard.Services;
using Dggrn.Dashboard.Services.ReadModels;

namespace Dggrn.Dashboard.Tests;

/// <summary>Seeds as groups (cells: every setting but the seed), their statistics, their status and the completeness table.</summary>
public sealed class SeedGroupsTests : ComponentTestBase
{
    internal static TrialFacts Trial(string method, int blocks, int seed, TrialState state, double? psnr = null, bool diverged = false,
        double learningRate = 1e-4, string? environment = null) =>
        new()
        {
            Id = Guid.NewGuid(), Key = $"{method}-n{blocks}-k64-x2-NAMIC-s{seed}", Method = method, Dataset = "NAMIC", Blocks = blocks, Filters = 64,
            Scale = 2, Seed = seed,
            ConfigJson = new JsonObject { ["seed"] = seed, ["method"] = method, ["blocks"] = blocks,
                ["training"] = new JsonObject { ["learningRate"] = learningRate, ["epochs"] = 65 } }.ToJsonString(),
            State = state, Diverged = diverged, Epoch = psnr is null ? 0 : 65, Seconds = psnr is null ? null : 3600, Parameters = 1000,
            Result = psnr is { } p ? new EvalResult { Method = method, Scale = 2, Overall = new AxisResult { Slices = 3, Psnr = p, Ssim = 0.9 } } : null,
            EnvironmentJson = environment,
        };

    [Fact]
    public void The_key_ignores_the_seed_and_the_order_of_keys()
    {
        Assert.Equal(SeedGroups.KeyOf("""{"seed":1,"a":1,"b":{"y":2,"x":1}}"""), SeedGroups.KeyOf("""{"b":{"x":1,"y":2},"a":1,"seed":7}"""));
        Assert.NotEqual(SeedGroups.KeyOf("""{"seed":1,"a":1}"""), SeedGroups.KeyOf("""{"seed":1,"a":2}"""));
    }

    [Fact]
    public void Cells_hold_their_seeds_with_mean_sample_std_and_n_over_the_succeeded_ones()
    {
        var groups = SeedGroups.Build([
            Trial("dggrn", 8, 0, TrialState.Succeeded, 37.41), Trial("dggrn", 8, 1, TrialState.Succeeded, 37.21),
            Trial("dggrn", 8, 2, TrialState.Succeeded, 37.01), Trial("dggrn", 8, 3, TrialState.Running),
            Trial("resnet", 8, 0, TrialState.Succeeded, 36.5),
        ]);
        Assert.Equal(["DGGRN N=8 K=64 ×2 NAMIC", "ResNet N=8 K=64 ×2 NAMIC"], groups.Select(g => g.Label).ToArray());
        var dggrn = groups[0];
        Assert.Equal(4, dggrn.Trials.Count);
        Assert.Equal(3, dggrn.Succeeded);
        Assert.Equal(37.21, dggrn.Psnr!.Value.Mean, 9);
        Assert.Equal(0.2, dggrn.Psnr!.Value.Std!.Value, 9);
        Assert.Equal("37.21 ± 0.20 (n=3)", dggrn.Psnr!.Value.Text(2));
        Assert.Equal("running", dggrn.Status);
        // One seed: no standard deviation to show.
        Assert.Equal("36.50 (n=1)", groups[1].Psnr!.Value.Text(2));
        Assert.Equal("complete", groups[1].Status);
    }

    [Fact]
    public void A_cell_status_puts_a_problem_first()
    {
        Assert.Equal("diverged", SeedGroups.Build([Trial("dggrn", 8, 0, TrialState.Failed, diverged: true), Trial("dggrn", 8, 1, TrialState.Failed),
            Trial("dggrn", 8, 2, TrialState.Running)])[0].Status);
        Assert.Equal("failed", SeedGroups.Build([Trial("dggrn", 8, 0, TrialState.Failed), Trial("dggrn", 8, 1, TrialState.Pending)])[0].Status);
        Assert.Equal("waiting", SeedGroups.Build([Trial("dggrn", 8, 0, TrialState.Succeeded, 37), Trial("dggrn", 8, 1, TrialState.Pending)])[0].Status);
        Assert.Equal("cancelled", SeedGroups.Build([Trial("dggrn", 8, 0, TrialState.Succeeded, 37), Trial("dggrn", 8, 1, TrialState.Cancelled)])[0].Status);
    }

    [Fact]
    public void Cells_that_would_read_alike_are_told_apart_by_what_differs()
    {
        var groups = SeedGroups.Build([Trial("dggrn", 8, 0, TrialState.Pending, learningRate: 1e-4), Trial("dggrn", 8, 0, TrialState.Pending, learningRate: 1e-3)]);
        Assert.Equal(2, groups.Count);
        Assert.Equal(["DGGRN N=8 K=64 ×2 NAMIC · training.learningRate=0.0001", "DGGRN N=8 K=64 ×2 NAMIC · training.learningRate=0.001"],
            groups.Select(g => g.Label).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Completeness_lists_the_missing_paper_cells_only_when_asked()
    {
        var groups = SeedGroups.Build([Trial("dggrn", 8, 0, TrialState.Succeeded, 37), Trial("resnet", 8, 0, TrialState.Failed, diverged: true)]);
        var cut = Ctx.Render<GridCompleteness>(p => p.Add(x => x.Groups, groups).Add(x => x.Missing, ["Table 1: NAMIC x2 Bicubic", "Table 3: IXI K=32"]));
        Assert.Equal(2, cut.FindAll("[data-testid=cell-row]").Count);
        Assert.Contains("2 cells of the paper's tables and Figure 6 this grid does not run", cut.Find("[data-testid=missing-summary]").TextContent);
        Assert.Equal("2 missing", cut.Find("[data-testid=completeness-missing]").TextContent.Trim());
        cut.Find("[data-testid=show-missing]").Click();
        Assert.Equal(new string?[] { "missing", "missing" }, cut.FindAll("[data-testid=cell-row]").Select(r => r.GetAttribute("data-status")));
        cut.Find("[data-testid=completeness-diverged]").Click();
        var row = Assert.Single(cut.FindAll("[data-testid=cell-row]"));
        Assert.Contains("ResNet N=8 K=64 ×2 NAMIC", row.TextContent);
        Assert.Contains("1 Diverged", row.TextContent);
    }
}
