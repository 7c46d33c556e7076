using Bunit;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Components.Shared;
using Dggrn.Dashboard.Services;
using Dggrn.Dashboard.Services.ReadModels;

namespace Dggrn.Dashboard.Tests;

/// <summary>The grid matrix: axes from what varies, seeds sharing a cell, state colours and best PSNR.</summary>
public sealed class TrialMatrixTests : ComponentTestBase
{
    static TrialFacts T(string method, string dataset, int seed, TrialState state, double? psnr, int filters = 64) => new()
    {
        Id = Guid.NewGuid(), Key = $"{method}-{dataset}-k{filters}-s{seed}", Method = method, Dataset = dataset, Blocks = 8,
        Filters = filters, Scale = 2, Seed = seed, ConfigJson = "{}", State = state, BestPsnr = psnr,
    };

    [Fact]
    public void Rows_are_datasets_columns_are_methods_and_constant_axes_are_left_out()
    {
        var trials = new[]
        {
            T("resnet", "NAMIC", 0, TrialState.Succeeded, 36.9), T("resnet", "NAMIC", 1, TrialState.Succeeded, 37.05),
            T("dggrn", "NAMIC", 0, TrialState.Succeeded, 37.2), T("dggrn", "NAMIC", 1, TrialState.Running, 36.0),
            T("dggrn", "BrainWeb", 0, TrialState.Pending, null),
        };
        var g = TrialGrid.Build(trials);
        Assert.Equal(["dataset"], g.RowAxes.ToArray());
        Assert.Equal(["method"], g.ColumnAxes.ToArray());
        Assert.Equal(["BrainWeb", "NAMIC"], g.Rows.Select(r => r[0]).ToArray());
        Assert.Equal(["dggrn", "resnet"], g.Columns.Select(c => c[0]).ToArray());
        Assert.Empty(g.Cells[0][1].Trials);                     // no ResNet on BrainWeb
        Assert.Equal(2, g.Cells[1][0].Trials.Count);            // two seeds share the cell
        Assert.Equal(37.2, g.Cells[1][0].BestPsnr);
        Assert.Equal(TrialState.Running, g.Cells[1][0].State);  // an active trial colours the cell
        Assert.Equal(37.05, g.Cells[1][1].BestPsnr);
        Assert.Equal(TrialState.Succeeded, g.Cells[1][1].State);
    }

    [Fact]
    public void Varying_filters_become_a_second_column_level()
    {
        var g = TrialGrid.Build([T("dggrn", "NAMIC", 0, TrialState.Pending, null, 32), T("dggrn", "NAMIC", 0, TrialState.Pending, null, 128),
            T("resnet", "NAMIC", 0, TrialState.Pending, null, 64)]);
        Assert.Equal(["method", "filters"], g.ColumnAxes.ToArray());
        Assert.Equal(["dggrn K=32", "dggrn K=128", "resnet K=64"], g.Columns.Select(c => string.Join(" ", c)).ToArray());
    }

    [Fact]
    public void Component_colours_cells_by_state_shows_best_psnr_and_links_each_seed()
    {
        var trials = new[]
        {
            T("dggrn", "NAMIC", 0, TrialState.Succeeded, 37.2), T("dggrn", "NAMIC", 1, TrialState.Failed, 30.0),
            T("resnet", "NAMIC", 0, TrialState.Running, 36.5), T("resnet", "IXI", 0, TrialState.Pending, null),
        };
        var cut = Ctx.Render<TrialMatrix>(p => p.Add(x => x.Grid, TrialGrid.Build(trials)));
        var cells = cut.FindAll("tbody td");
        // Rows: IXI, NAMIC; columns: dggrn, resnet.
        Assert.Equal(4, cells.Count);
        Assert.Equal("", cells[0].TextContent.Trim());
        Assert.Equal("Pending", cells[1].GetAttribute("data-state"));
        Assert.Equal("Failed", cells[2].GetAttribute("data-state"));
        Assert.StartsWith("37.20", cells[2].TextContent.Trim());
        Assert.Equal(2, cells[2].QuerySelectorAll("a").Length);
        Assert.Equal($"/trials/{trials[1].Id}", cells[2].QuerySelectorAll("a")[1].GetAttribute("href"));
        Assert.Equal("Running", cells[3].GetAttribute("data-state"));
        Assert.Contains("36.50", cells[3].TextContent);
        Assert.Equal(["IXI", "NAMIC"], cut.FindAll("tbody th").Select(th => th.TextContent).ToArray());
    }
}
