using Bunit;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Components.Shared;
using Dggrn.Dashboard.Services;

namespace Dggrn.Dashboard.Tests;

/// <summary>Compared runs as documents (outcome, configuration, environment) and the runs table's "only differences".</summary>
public sealed class RunDocumentsTests : ComponentTestBase
{
    [Fact]
    public void A_run_document_has_its_outcome_first_then_configuration_and_environment()
    {
        var env = """{"host":"gpu-1","device":"cuda:0"}""";
        var doc = RunDocuments.WithOutcome(SeedGroupsTests.Trial("dggrn", 8, 0, TrialState.Succeeded, 37.123456, environment: env));
        var paths = ConfigDiff.Flatten(doc);
        Assert.Equal("run.state", paths.Keys.First());
        Assert.Equal("37.1235", paths["run.psnr"]);
        Assert.Equal("Succeeded", paths["run.state"]);
        Assert.Equal("gpu-1", paths["environment.host"]);
        Assert.Equal("65", paths["training.epochs"]);
        Assert.DoesNotContain(ConfigDiff.Flatten(RunDocuments.Settings(SeedGroupsTests.Trial("dggrn", 8, 0, TrialState.Succeeded, 37))).Keys,
            k => k.StartsWith("run.", StringComparison.Ordinal) || k.StartsWith("environment.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_runs_table_hides_the_columns_every_run_shares_and_shows_them_marked_when_asked()
    {
        var a = SeedGroupsTests.Trial("dggrn", 8, 0, TrialState.Succeeded, 37.1, environment: """{"host":"gpu-1","device":"cuda:0"}""");
        var b = SeedGroupsTests.Trial("dggrn", 8, 1, TrialState.Succeeded, 37.1, environment: """{"host":"gpu-2","device":"cuda:0"}""");
        string[] runs = [RunDocuments.WithOutcome(a), RunDocuments.WithOutcome(b)];
        var cut = Ctx.Render<RunsTable>(p => p.Add(x => x.Labels, [a.Key, b.Key]).Add(x => x.Runs, runs));
        string[] Paths() => [.. cut.FindAll("[data-testid=runs-column]").Select(th => th.GetAttribute("data-path")!)];
        Assert.Equal(["environment.host", "seed"], Paths());
        Assert.Equal(["environment", "host"], cut.Find("[data-path='environment.host']").ChildNodes
            .Select(n => n.TextContent.Trim()).Where(t => t.Length > 0).ToArray());
        Assert.Empty(cut.FindAll("td.differs"));
        Assert.StartsWith("2 of ", cut.Find("[data-testid=runs-hidden]").TextContent);

        cut.Render(p => p.Add(x => x.OnlyDifferences, false));
        Assert.Contains("run.psnr", Paths());
        Assert.Contains("environment.device", Paths());
        Assert.Equal(4, cut.FindAll("td.differs").Count);   // host and seed, two runs each
        Assert.Contains("2 of them differ", cut.Find("[data-testid=runs-hidden]").TextContent);
    }
}
