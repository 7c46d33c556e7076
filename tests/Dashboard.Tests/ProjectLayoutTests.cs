using System.Text.RegularExpressions;
using Dggrn.Tests.Common;

namespace Dggrn.Dashboard.Tests;

/// <summary>The dashboard's rule from docs/architecture.md, checked on the sources: pages, components and view services
/// bind read models, and only the reader that maps rows to them names the database's entities.</summary>
public sealed class ProjectLayoutTests
{
    static readonly string Dashboard = Path.Combine(TestEnvironment.RepoRoot, "src", "Dashboard");

    // Paths relative to src/Dashboard, each with why it may name entities. Keep this short: a view that needs a new field
    // gets it on its read model, not an exception here.
    static readonly Dictionary<string, string> MayNameEntities = new()
    {
        ["Services/LabReader.cs"] = "the one place that queries the entities and maps them to read models",
    };

    // The entities' namespace, or any type named like one (TrialEntity, WorkerEntity, ...).
    static readonly Regex EntityMention = new(@"\bInfrastructure\.Entities\b|\b\w+Entity\b");

    [Fact]
    public void Only_the_lab_reader_names_database_entities()
    {
        var found = Directory.EnumerateFiles(Dashboard, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".cs" or ".razor")
            .Select(f => (File: f, Relative: Path.GetRelativePath(Dashboard, f).Replace('\\', '/')))
            .Where(x => !x.Relative.StartsWith("obj/", StringComparison.Ordinal) && !x.Relative.StartsWith("bin/", StringComparison.Ordinal))
            .Where(x => !MayNameEntities.ContainsKey(x.Relative))
            .SelectMany(x => File.ReadLines(x.File).Select((line, n) => (x.Relative, n, line)))
            .Where(x => EntityMention.IsMatch(x.line))
            .Select(x => $"src/Dashboard/{x.Relative}:{x.n + 1}: {x.line.Trim()}").ToList();
        Assert.True(found.Count == 0, "expected views to bind read models (Services/ReadModels), not entities; found:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_allow_list_names_files_that_exist()
    {
        var missing = MayNameEntities.Keys.Where(k => !File.Exists(Path.Combine(Dashboard, k))).ToList();
        Assert.True(missing.Count == 0, "stale entries in the allow-list: " + string.Join(", ", missing));
    }
}
