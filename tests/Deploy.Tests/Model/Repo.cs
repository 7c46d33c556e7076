using Dggrn.Tests.Common;

namespace Dggrn.Deploy.Tests.Model;

/// <summary>Paths of the deployment files under test.</summary>
public static class Repo
{
    /// <summary>Absolute path of a repository-relative path.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(TestEnvironment.RepoRoot, relative);

    /// <summary>deploy/compose/compose.yaml</summary>
    public static string ComposeFile => Path("deploy/compose/compose.yaml");

    /// <summary>deploy/compose/.env.example</summary>
    public static string EnvExample => Path("deploy/compose/.env.example");

    /// <summary>deploy/k8s</summary>
    public static string K8sDir => Path("deploy/k8s");

    /// <summary>The .NET services that ship as images, by the name their image and Dockerfile folder carry.</summary>
    public static readonly IReadOnlyDictionary<string, string> ServiceProjects = new Dictionary<string, string>
    {
        ["orchestrator"] = "src/Orchestrator/Cli/Dggrn.Cli.csproj",
        ["worker"] = "src/Worker/Dggrn.Worker.csproj",
        ["dashboard"] = "src/Dashboard/Dggrn.Dashboard.csproj",
    };

    /// <summary>Dockerfile of a .NET service.</summary>
    public static string Dockerfile(string service) => Path($"deploy/docker/{service}/Dockerfile");

    /// <summary>
    /// The .NET service an image runs ("orchestrator", "worker", "dashboard"), from the last path segment of its
    /// repository name (dggrn/worker:0.1.0-cuda is the worker); null for third-party images.
    /// </summary>
    public static string? ServiceOfImage(string image)
    {
        var repo = ImageRef.Parse(image).Repository;
        var last = repo[(repo.LastIndexOf('/') + 1)..];
        return repo.StartsWith("dggrn/") && ServiceProjects.ContainsKey(last) ? last : null;
    }
}
