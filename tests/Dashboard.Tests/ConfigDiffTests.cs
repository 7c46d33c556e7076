using Bunit;
using Dggrn.Dashboard.Components.Shared;
using Dggrn.Dashboard.Services;

namespace Dggrn.Dashboard.Tests;

/// <summary>The config diff shows only what differs.</summary>
public sealed class ConfigDiffTests : ComponentTestBase
{
    const string A = """{"method":"dggrn","filters":64,"training":{"learningRate":1e-4,"epochs":65,"trainAxes":[0,1,2]},"dataset":{"name":"NAMIC","train":["a.nii"]}}""";
    const string B = """{"method":"dggrn","filters":128,"training":{"learningRate":0.0001,"epochs":65,"trainAxes":[0,1]},"dataset":{"name":"NAMIC","train":["a.nii"]}}""";

    [Fact]
    public void Only_differing_paths_are_reported_and_equal_numbers_in_other_spellings_are_equal()
    {
        var d = ConfigDiff.Compute([A, B]);
        Assert.Equal(["filters", "training.trainAxes[2]"], d.Select(x => x.Path).ToArray());
        Assert.Equal(new string?[] { "64", "128" }, d[0].Values.ToArray());
        Assert.Equal(new string?[] { "2", null }, d[1].Values.ToArray());
    }

    [Fact]
    public void Identical_configs_have_no_differences()
    {
        Assert.Empty(ConfigDiff.Compute([A, A, A]));
    }

    [Fact]
    public void Component_renders_one_row_per_difference_with_a_column_per_trial()
    {
        var cut = Ctx.Render<ConfigDiffView>(p => p.Add(x => x.Labels, ["k64", "k128"]).Add(x => x.Configs, [A, B]));
        var rows = cut.FindAll("table[data-testid=config-diff] tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Equal(["filters", "64", "128"], rows[0].QuerySelectorAll("td").Select(td => td.TextContent).ToArray());
        Assert.Equal(["training.trainAxes[2]", "2", "—"], rows[1].QuerySelectorAll("td").Select(td => td.TextContent).ToArray());
        Assert.DoesNotContain("learningRate", cut.Markup);
        Assert.Equal(["setting", "k64", "k128"], cut.FindAll("thead th").Select(th => th.TextContent).ToArray());
    }

    [Fact]
    public void Component_says_when_configs_are_identical()
    {
        var cut = Ctx.Render<ConfigDiffView>(p => p.Add(x => x.Labels, ["a", "b"]).Add(x => x.Configs, [A, A]));
        Assert.Equal("The configurations are identical.", cut.Find("[data-testid=config-diff-empty]").TextContent);
    }

    [Fact]
    public void Rows_list_every_path_and_mark_the_differing_ones()
    {
        var rows = ConfigDiff.Rows([A, B]);
        Assert.Equal(["dataset.name", "dataset.train[0]", "filters", "method", "training.epochs", "training.learningRate",
            "training.trainAxes[0]", "training.trainAxes[1]", "training.trainAxes[2]"], rows.Select(r => r.Path).ToArray());
        Assert.Equal(["filters", "training.trainAxes[2]"], rows.Where(r => r.Differs).Select(r => r.Path).ToArray());
    }

    [Fact]
    public void Component_with_every_setting_marks_the_differing_rows()
    {
        var cut = Ctx.Render<ConfigDiffView>(p => p.Add(x => x.Labels, ["k64", "k128"]).Add(x => x.Configs, [A, B]).Add(x => x.OnlyDifferences, false));
        var rows = cut.FindAll("table[data-testid=config-diff] tbody tr");
        Assert.Equal(9, rows.Count);
        Assert.Equal(["filters", "training.trainAxes[2]"],
            rows.Where(r => r.GetAttribute("data-differs") == "true").Select(r => r.QuerySelector("td")!.TextContent).ToArray());
        Assert.All(rows.Where(r => r.GetAttribute("data-differs") == "true"), r => Assert.Contains("differs", r.ClassList));
    }
}
