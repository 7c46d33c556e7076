namespace Dggrn.Orchestrator.Local;

/// <summary>
/// Where the sibling executables are: next to this one in the same artifacts tree
/// (&lt;artifacts&gt;/bin/Dggrn.Cli/&lt;cfg&gt;/dggrn.dll -&gt; &lt;artifacts&gt;/bin/Dggrn.Worker/&lt;cfg&gt;_linux-x64/dggrn-worker.dll).
/// DGGRN_WORKER_DLL and DGGRN_DASHBOARD_DLL override.
/// </summary>
public static class ProductPaths
{
    static string OwnDir => AppContext.BaseDirectory.TrimEnd('/', '\\');

    /// <summary>Build configuration folder name of this executable (debug, release).</summary>
    static string Configuration => Path.GetFileName(OwnDir);

    static string BinRoot => Path.GetDirectoryName(Path.GetDirectoryName(OwnDir)!)!;

    /// <summary>The worker executable.</summary>
    public static string WorkerDll =>
        Environment.GetEnvironmentVariable("DGGRN_WORKER_DLL") is { Length: > 0 } w
            ? w
            : Path.Combine(BinRoot, "Dggrn.Worker", Configuration + "_linux-x64", "dggrn-worker.dll");

    /// <summary>The benchmarks' executable (tests/Benchmarks; DGGRN_BENCH_DLL overrides).</summary>
    public static string BenchDll =>
        Environment.GetEnvironmentVariable("DGGRN_BENCH_DLL") is { Length: > 0 } b
            ? b
            : Path.Combine(BinRoot, "Dggrn.Benchmarks", Configuration + "_linux-x64", "dggrn-bench.dll");

    /// <summary>The dashboard executable.</summary>
    public static string DashboardDll =>
        Environment.GetEnvironmentVariable("DGGRN_DASHBOARD_DLL") is { Length: > 0 } d
            ? d
            : Path.Combine(BinRoot, "Dggrn.Dashboard", Configuration, "dggrn-dashboard.dll");
}
