using System.Reflection;

namespace Dggrn.Tests.Common;

/// <summary>
/// Where the real servers and data for tests are. tests/run.sh starts PostgreSQL and the S3-protocol server
/// and exports these variables; a test whose server is missing fails loudly with the reason, never skips.
/// </summary>
public static class TestEnvironment
{
    /// <summary>Repository root (baked in at build time).</summary>
    public static string RepoRoot { get; } = Metadata("RepoRoot");

    /// <summary>Build output root (artifacts/ by default; DGGRN_ARTIFACTS when set at build time).</summary>
    public static string ArtifactsPath { get; } = Metadata("ArtifactsPath");

    /// <summary>Admin connection string of the test PostgreSQL server (DGGRN_TEST_PG).</summary>
    public static string PostgresAdmin => Required("DGGRN_TEST_PG",
        "a PostgreSQL server for tests (tests/run.sh starts one and sets it)");

    /// <summary>S3-protocol endpoint host:port (DGGRN_TEST_S3_ENDPOINT), with keys DGGRN_TEST_S3_ACCESS_KEY / _SECRET_KEY.</summary>
    public static (string Endpoint, string AccessKey, string SecretKey) S3 => (
        Required("DGGRN_TEST_S3_ENDPOINT", "an S3-protocol server (MinIO, or s3rver started by tests/run.sh)"),
        Environment.GetEnvironmentVariable("DGGRN_TEST_S3_ACCESS_KEY") ?? "S3RVER",
        Environment.GetEnvironmentVariable("DGGRN_TEST_S3_SECRET_KEY") ?? "S3RVER");

    /// <summary>Folder of real MRI volumes (DGGRN_MRI_DATA, default ../shared/data/mri). Missing = failure.</summary>
    public static string MriData
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("DGGRN_MRI_DATA")
                      ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", "mri"));
            if (!Directory.Exists(dir))
                throw new InvalidOperationException(
                    $"real MRI data folder '{dir}' is missing: set DGGRN_MRI_DATA, or run tests/run.sh --no-real-data to leave those tests out");
            return dir;
        }
    }

    /// <summary>Path of one real MRI file; fails when it is absent.</summary>
    public static string MriFile(string name)
    {
        var p = Path.Combine(MriData, name);
        if (!File.Exists(p)) throw new FileNotFoundException($"real MRI file '{p}' is missing", p);
        return p;
    }

    /// <summary>Built output folder of a product project, e.g. ("Dggrn.Worker", true) for the RID-specific worker.</summary>
    public static string ProjectOutput(string project, bool ridSpecific = false)
    {
        var config = Environment.GetEnvironmentVariable("DGGRN_TEST_CONFIGURATION") ?? BuildConfiguration;
        var dir = Path.Combine(ArtifactsPath, "bin", project, config.ToLowerInvariant() + (ridSpecific ? "_linux-x64" : ""));
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"build output '{dir}' is missing: build the solution first (dotnet build DGGRN.sln)");
        return dir;
    }

#if DEBUG
    const string BuildConfiguration = "debug";
#else
    const string BuildConfiguration = "release";
#endif

    static string Required(string name, string what) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"{name} is not set: these tests need {what}. Run the tests with tests/run.sh.");

    static string Metadata(string key) =>
        typeof(TestEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"assembly metadata {key} missing");
}
