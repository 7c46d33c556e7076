using Dggrn.Deploy.Tests.Model;
using Dggrn.Deploy.Tests.Parsing;
using Dggrn.Tests.Common;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Dggrn.Deploy.Tests;

/// <summary>
/// Every environment variable the deployment files set for a .NET service is a configuration key that service
/// reads (its options classes under src/, or a standard host/platform variable): a typo or a renamed option
/// would otherwise be ignored silently by the configuration binder.
/// </summary>
public sealed class ConfigurationKeyTests
{
    static readonly OptionsCatalog Catalog = new(TestEnvironment.RepoRoot);
    readonly EnvironmentRules _rules = new(Catalog);

    [Fact]
    public void TheOptionsParserFindsTheKnownSettings()
    {
        // Guards the source reader: if it silently found nothing, every check below would be vacuous.
        Assert.Equal("string", Catalog.Properties("WorkerOptions")?["OrchestratorUrl"]);
        Assert.Equal("int", Catalog.Properties("WorkerOptions")?["SlotsPerDevice"]);
        Assert.Equal("bool", Catalog.Properties("CheckpointStoreOptions")?["UseSsl"]);
        Assert.Contains("Token", Catalog.Properties("DashboardOptions")!.Keys);
        Assert.Contains("Clustering", Catalog.Properties("OrchestratorOptions")!.Keys);
        Assert.Contains("BootstrapAdminToken", Catalog.Properties("OrchestratorOptions")!.Keys);
        Assert.NotNull(_rules.WhyNotRead("worker", "Worker__NoSuchKey"));
        Assert.NotNull(_rules.WhyNotRead("dashboard", "Worker__Token"));
        Assert.NotNull(_rules.WhyNotRead("worker", "ConnectionStrings__Elsewhere"));
        Assert.Null(_rules.WhyNotRead("orchestrator", "Datasets__IXI__Train"));
        Assert.NotNull(_rules.WhyNotRead("worker", "Datasets__IXI__Train"));
    }

    [Fact]
    public void ComposeSetsOnlyKeysTheServicesRead()
    {
        var compose = new ComposeFile();
        var problems = new List<string>();
        foreach (var (name, svc) in compose.Services)
        {
            if (compose.DotnetService(svc) is not { } service) continue;
            foreach (var variable in ComposeFile.Environment(svc).Keys)
                if (_rules.WhyNotRead(service, variable) is { } why) problems.Add($"compose {name}: {variable}: {why}");
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void KubernetesSetsOnlyKeysTheServicesRead()
    {
        var problems = new List<string>();
        foreach (var o in K8sObject.LoadFolder(Repo.K8sDir))
            foreach (var c in o.Containers)
            {
                if (Repo.ServiceOfImage(c.Str("image")!) is not { } service) continue;
                foreach (var e in c.Seq("env")?.Children.OfType<YamlMappingNode>() ?? [])
                    if (_rules.WhyNotRead(service, e.Str("name")!) is { } why) problems.Add($"k8s {o.Name}: {e.Str("name")}: {why}");
            }
        Assert.Empty(problems);
    }

    [Fact]
    public void DockerfilesSetOnlyKeysTheServicesRead()
    {
        var problems = new List<string>();
        foreach (var service in Repo.ServiceProjects.Keys)
            foreach (var variable in Dockerfile.EnvNames(Dockerfile.Load(Repo.Dockerfile(service)).Stages[^1]))
                if (_rules.WhyNotRead(service, variable) is { } why) problems.Add($"{service} Dockerfile: {variable}: {why}");
        Assert.Empty(problems);
    }

    [Fact]
    public void EveryServiceThatUsesTheCheckpointStoreIsPointedAtTheSameMinio()
    {
        var users = Repo.ServiceProjects.Keys.Where(s => Catalog.ServiceMentions(s, "CheckpointStoreOptions")).ToHashSet();
        Assert.Contains("worker", users);
        var compose = new ComposeFile();
        var seen = new List<(string, string, string)>();
        foreach (var (name, svc) in compose.Services)
        {
            if (compose.DotnetService(svc) is not { } service || !users.Contains(service)) continue;
            var env = ComposeFile.Environment(svc);
            Assert.True(env.TryGetValue("CheckpointStore__Kind", out var kind) && kind == "S3", $"compose {name} uses the checkpoint store but is not pointed at MinIO");
            seen.Add((env["CheckpointStore__Endpoint"], env["CheckpointStore__Bucket"], env["CheckpointStore__SecretKey"]));
        }
        Assert.Single(seen.Distinct());
        foreach (var o in K8sObject.LoadFolder(Repo.K8sDir))
            foreach (var c in o.Containers.Where(c => Repo.ServiceOfImage(c.Str("image")!) is { } s && users.Contains(s)))
            {
                var names = (c.Seq("env")?.Children.OfType<YamlMappingNode>() ?? []).Select(e => e.Str("name")).ToHashSet();
                foreach (var k in new[] { "CheckpointStore__Kind", "CheckpointStore__Endpoint", "CheckpointStore__Bucket", "CheckpointStore__AccessKey", "CheckpointStore__SecretKey" })
                    Assert.True(names.Contains(k), $"k8s {o.Name}/{c.Str("name")} uses the checkpoint store but lacks {k}");
            }
    }

    [Fact]
    public void TheSettingsTheContractNamesAreSetWhereTheyMatter()
    {
        // The cluster-mode keys a deployment cannot do without.
        var compose = new ComposeFile();
        var worker = ComposeFile.Environment(compose.Service("worker"));
        foreach (var k in new[] { "Worker__OrchestratorUrl", "Worker__Token", "CheckpointStore__Kind", "CheckpointStore__Endpoint", "CheckpointStore__AccessKey", "CheckpointStore__SecretKey" })
            Assert.True(worker.ContainsKey(k), $"compose worker lacks {k}");
        var dashboard = ComposeFile.Environment(compose.Service("dashboard"));
        foreach (var k in new[] { "ConnectionStrings__Lab", "Dashboard__OrchestratorUrl", "Dashboard__Token", "Urls" })
            Assert.True(dashboard.ContainsKey(k), $"compose dashboard lacks {k}");
    }
}
