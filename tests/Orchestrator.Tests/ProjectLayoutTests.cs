using System.Text.RegularExpressions;
using System.Xml.Linq;
using Dggrn.Tests.Common;

namespace Dggrn.Orchestrator.Tests;

/// <summary>The dependency rules docs/architecture.md states, checked on the sources, so a shortcut that breaks them fails
/// here rather than in a reviewer's head.</summary>
public sealed class ProjectLayoutTests
{
    static string Src(params string[] parts) => Path.Combine([TestEnvironment.RepoRoot, "src", .. parts]);

    [Fact]
    public void Contracts_holds_wire_types_only_no_packages_and_no_project_references()
    {
        var project = XDocument.Load(Src("Contracts", "Dggrn.Contracts.csproj"));
        var references = project.Descendants().Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference")
            .Select(e => e.Attribute("Include")?.Value).ToList();
        Assert.True(references.Count == 0, $"src/Contracts/Dggrn.Contracts.csproj: expected no references, found {string.Join(", ", references)}");
    }

    [Fact]
    public void The_cli_is_a_project_of_its_own_that_references_only_contracts_and_the_orchestrator()
    {
        // `dggrn` (CLI and local launcher) is its own executable; the orchestrator is a library that knows nothing of it.
        static List<string> Refs(params string[] path) => XDocument.Load(Src(path)).Descendants()
            .Where(e => e.Name.LocalName == "ProjectReference").Select(e => Path.GetFileName(e.Attribute("Include")!.Value)).Order().ToList();
        Assert.Equal(["Dggrn.Contracts.csproj", "Dggrn.Orchestrator.csproj"], Refs("Orchestrator", "Cli", "Dggrn.Cli.csproj"));
        Assert.DoesNotContain("Dggrn.Cli.csproj", Refs("Orchestrator", "Dggrn.Orchestrator.csproj"));
        Assert.Equal("Library", XDocument.Load(Src("Orchestrator", "Dggrn.Orchestrator.csproj")).Descendants().Single(e => e.Name.LocalName == "OutputType").Value);
    }

    [Theory]
    [InlineData("Cli")]
    [InlineData("Cli/Local")]
    public void Cli_and_local_launcher_reach_the_orchestrator_over_http_and_hosting_only(string folder)
    {
        // They may start hosts (Hosting) and speak the wire API (Contracts); grains, stores, specs and entities are the silo's.
        var inner = new Regex(@"\b(?:Dggrn\.Orchestrator\.)?(Grains|Scheduling|Infrastructure|Specs|Apis|Metrics|Queries|Reports)\.[A-Z]");
        var found = Directory.EnumerateFiles(Src(["Orchestrator", .. folder.Split('/')]), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => File.ReadLines(f).Select((line, n) => (f, n, line)))
            .Where(x => inner.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(TestEnvironment.RepoRoot, x.f)}:{x.n + 1}: {x.line.Trim()}").ToList();
        Assert.True(found.Count == 0, "expected no use of the silo's internals, found:\n" + string.Join("\n", found));
    }

    [Fact]
    public void Only_trial_transitions_and_the_trial_store_change_a_trials_state()
    {
        // docs/architecture.md: a trial's state changes only through Scheduling/TrialTransitions.cs (its callers pass the new
        // values) and TrialStore.cs's set-based statements, each writing its trial_transitions row; nowhere else.
        var update = new Regex(@"UPDATE\s+trials\b(?:\s+\w+)?\s+SET\b(?:(?!WHERE)[^;])*?\bstate\s*=", RegexOptions.IgnoreCase | RegexOptions.Singleline);
        var allowed = new[] { "TrialTransitions.cs", "TrialStore.cs" };
        var found = Directory.EnumerateFiles(Src(), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => !allowed.Contains(Path.GetFileName(f)) && update.IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(TestEnvironment.RepoRoot, f)).ToList();
        Assert.True(found.Count == 0, "expected trial state updates only in " + string.Join(" and ", allowed) + ", found in: " + string.Join(", ", found));
    }
}
