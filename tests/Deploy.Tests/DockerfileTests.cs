using System.Xml.Linq;
using Dggrn.Deploy.Tests.Model;
using Dggrn.Deploy.Tests.Parsing;
using Xunit;

namespace Dggrn.Deploy.Tests;

/// <summary>deploy/docker/&lt;service&gt;/Dockerfile for the three .NET services.</summary>
public sealed class DockerfileTests
{
    public static TheoryData<string> Services => new(Repo.ServiceProjects.Keys);

    [Theory]
    [MemberData(nameof(Services))]
    public void BuildsWithTheSdkAndRunsOnThePinnedRuntimeTheProjectNeeds(string service)
    {
        var df = Dockerfile.Load(Repo.Dockerfile(service));
        Assert.True(df.Stages.Count >= 2, $"{df.Path}: multi-stage build expected");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", df.Stages[0].Image);
        var final = df.Stages[^1];
        // Web SDK projects and projects with the ASP.NET Core framework reference need the aspnet runtime image.
        var csproj = File.ReadAllText(Repo.Path(Repo.ServiceProjects[service]));
        var needsAspNet = csproj.Contains("Microsoft.NET.Sdk.Web") || csproj.Contains("\"Microsoft.AspNetCore.App\"");
        Assert.StartsWith(needsAspNet ? "mcr.microsoft.com/dotnet/aspnet:10.0" : "mcr.microsoft.com/dotnet/runtime:10.0", final.Image);
        // A stage may start from an earlier stage (PUBLISHED defaults to the build stage); every image is pinned.
        var stageNames = df.Stages.Select(s => s.Name).OfType<string>().ToHashSet();
        Assert.All(df.Stages.Where(s => !stageNames.Contains(s.Image)), s => Assert.Null(ImageRef.Parse(s.Image).NotPinnedReason()));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void BaseImagesAndThePublishedAppAreBuildArgumentsDefaultingToUpstream(string service)
    {
        // deploy/podman/build-images.sh builds the same Dockerfile without registry access by passing these.
        var df = Dockerfile.Load(Repo.Dockerfile(service));
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", df.GlobalArgs["SDK_IMAGE"]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", df.GlobalArgs["RUNTIME_IMAGE"]);
        Assert.Equal("build", df.GlobalArgs["PUBLISHED"]);
        var lines = File.ReadAllLines(Repo.Dockerfile(service));
        Assert.Contains(lines, l => l.StartsWith("FROM ${SDK_IMAGE} AS build"));
        Assert.Contains(lines, l => l.StartsWith("FROM ${PUBLISHED} AS published"));
        Assert.Contains(lines, l => l.StartsWith("FROM ${RUNTIME_IMAGE}"));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void RunsAsANonRootUser(string service)
    {
        var final = Dockerfile.Load(Repo.Dockerfile(service)).Stages[^1];
        var user = final.All("USER").LastOrDefault();
        Assert.NotNull(user);
        Assert.DoesNotContain(user.Arguments.Split(':')[0], new[] { "root", "0" });
        // Nothing runs after USER as root again.
        Assert.DoesNotContain(final.Instructions.SkipWhile(i => i != user), i => i.Keyword == "USER" && i.Arguments is "root" or "0");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void StartsTheServicesOwnAssembly(string service)
    {
        var final = Dockerfile.Load(Repo.Dockerfile(service)).Stages[^1];
        var entry = Dockerfile.ExecForm(final.All("ENTRYPOINT").Last());
        Assert.NotNull(entry);
        var assembly = XDocument.Load(Repo.Path(Repo.ServiceProjects[service])).Descendants("AssemblyName").Single().Value;
        Assert.Equal(["dotnet", assembly + ".dll"], entry);
        // The app comes from the `published` stage, which is the build stage unless PUBLISHED names an image.
        Assert.Contains(final.All("COPY"), c => c.Arguments.StartsWith("--from=published "));
        Assert.Equal("build", Dockerfile.Load(Repo.Dockerfile(service)).Stages.Single(s => s.Name == "published").Image);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void CopiesEverySourceProjectTheServiceNeedsAndNothingMissing(string service)
    {
        var build = Dockerfile.Load(Repo.Dockerfile(service)).Stages[0];
        var sources = build.All("COPY").Where(c => !c.Arguments.StartsWith("--from")).Select(c => c.Arguments.Split(' ')).ToList();
        // Every copied path exists in the repository (the build context is its root).
        foreach (var parts in sources)
            foreach (var src in parts[..^1])
                Assert.True(File.Exists(Repo.Path(src)) || Directory.Exists(Repo.Path(src)), $"{service}: COPY {src} does not exist");
        // Every project the service references, transitively, is copied whole, as are the shared build files.
        var copied = sources.SelectMany(p => p[..^1]).Select(s => s.TrimEnd('/')).ToHashSet();
        // (A project nested in a copied folder, like the CLI in src/Orchestrator/Cli, is copied with it.)
        foreach (var dir in ProjectClosure(Repo.ServiceProjects[service]))
            Assert.True(copied.Contains(dir) || copied.Any(c => dir.StartsWith(c + "/", StringComparison.Ordinal)), $"{service}: the Dockerfile does not copy {dir}/");
        Assert.Contains("Directory.Build.targets", string.Join(' ', copied));   // the TorchSharp ELF patch runs in the image build
        Assert.Contains("build", copied);
        // Restore runs before the sources are copied, so code edits reuse the package layer.
        var runs = build.Instructions.ToList();
        var restore = runs.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore"));
        var publish = runs.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish"));
        Assert.InRange(restore, 0, publish - 1);
        Assert.Contains("--no-restore", runs[publish].Arguments);
        Assert.Contains("-c Release", runs[publish].Arguments);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void TheDockerIgnoreFileKeepsBuildOutputsOutOfTheContext(string service)
    {
        var ignore = File.ReadAllLines(Repo.Dockerfile(service) + ".dockerignore");
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
        Assert.Contains("artifacts/", ignore);
    }

    /// <summary>Folders (repository-relative) of a project and every project it references, transitively.</summary>
    static IReadOnlyCollection<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>();
        var todo = new Stack<string>([project]);
        while (todo.TryPop(out var p))
        {
            var dir = Path.GetDirectoryName(p)!.Replace('\\', '/');
            if (!seen.Add(dir)) continue;
            foreach (var r in XDocument.Load(Repo.Path(p)).Descendants("ProjectReference"))
                todo.Push(Path.GetRelativePath(Repo.Path("."), Path.GetFullPath(Path.Combine(Repo.Path(dir), r.Attribute("Include")!.Value.Replace('\\', '/')))));
        }
        return seen;
    }
}
