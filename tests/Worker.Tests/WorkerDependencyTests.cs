using System.Reflection;
using Dggrn.Worker.Service;

namespace Dggrn.Worker.Tests;

/// <summary>The worker and its trial processes load only what they use: no EF Core, Npgsql, Orleans or YAML parser (those are
/// the orchestrator's), so a trial process starts small and a worker host needs no database client.</summary>
public sealed class WorkerDependencyTests
{
    static readonly string[] Forbidden = ["Microsoft.EntityFrameworkCore", "Npgsql", "Microsoft.Orleans", "Orleans", "YamlDotNet", "Dggrn.Orchestrator"];

    [Fact]
    public void Worker_assembly_closure_has_no_database_silo_or_spec_parser_assemblies()
    {
        // Every assembly the worker's code can reach, following references from Dggrn.Worker (framework assemblies aside).
        var seen = new Dictionary<string, AssemblyName>();
        var queue = new Queue<Assembly>([typeof(WorkerService).Assembly]);
        var path = new Dictionary<string, string> { [typeof(WorkerService).Assembly.GetName().Name!] = "Dggrn.Worker" };
        while (queue.TryDequeue(out var a))
            foreach (var r in a.GetReferencedAssemblies())
            {
                if (r.Name is null || seen.ContainsKey(r.Name) || IsFramework(r.Name)) continue;
                seen[r.Name] = r;
                path[r.Name] = $"{path[a.GetName().Name!]} -> {r.Name}";
                queue.Enqueue(Assembly.Load(r));
            }
        var bad = seen.Keys.Where(n => Forbidden.Any(f => n == f || n.StartsWith(f + ".", StringComparison.Ordinal)))
            .Select(n => path[n]).ToList();
        Assert.True(bad.Count == 0, "expected none of " + string.Join(", ", Forbidden) + ", found:\n" + string.Join("\n", bad));
        Assert.Contains("Dggrn.Model", seen.Keys); // the walk really followed the references
    }

    static bool IsFramework(string name) =>
        name is "mscorlib" or "netstandard" || name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.CSharp", StringComparison.Ordinal) || name.StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal);
}
