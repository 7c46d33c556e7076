using Dggrn.Deploy.Tests.Model;
using Dggrn.Deploy.Tests.Parsing;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Dggrn.Deploy.Tests;

/// <summary>deploy/k8s: the cluster deployment (kustomize).</summary>
public sealed class KubernetesManifestTests
{
    readonly IReadOnlyList<K8sObject> _objects = K8sObject.LoadFolder(Repo.K8sDir);
    readonly YamlMappingNode _kustomization = YamlFiles.Document(Path.Combine(Repo.K8sDir, "kustomization.yaml"));

    IEnumerable<K8sObject> Applied => _objects.Where(o => o.File != "secrets.example.yaml");

    K8sObject Workload(string name) => Assert.Single(_objects, o => o.PodSpec is not null && o.Name == name);

    [Fact]
    public void KustomizationListsEveryManifestButTheSecretTemplate()
    {
        var resources = _kustomization.Seq("resources").Strings();
        Assert.All(resources, r => Assert.True(File.Exists(Path.Combine(Repo.K8sDir, r)), $"kustomization names missing {r}"));
        var files = Applied.Select(o => o.File).Distinct().Order();
        Assert.Equal(files, resources.Order());
        Assert.DoesNotContain("secrets.example.yaml", resources);
        Assert.Equal("dggrn", _kustomization.Str("namespace"));
        Assert.All(_objects.Where(o => o.Kind != "Namespace"), o => Assert.Equal("dggrn", o.Namespace));
    }

    [Fact]
    public void EveryPlatformPartIsThere()
    {
        // Two silos (see orchestrator.yaml for why they share a pod) and the API container in front of them.
        var orchestrator = Workload("dggrn-orchestrator");
        Assert.Equal(2, orchestrator.Containers.Count(c => Repo.ServiceOfImage(c.Str("image")!) == "orchestrator"));
        Assert.Equal("Recreate", (orchestrator.Node.At("spec", "strategy", "type") as YamlScalarNode)?.Value);
        Assert.Equal("1", (orchestrator.Node.At("spec", "replicas") as YamlScalarNode)?.Value);
        Assert.Contains(_objects, o => o.Kind == "Service" && o.Name == "dggrn-orchestrator");
        Assert.Contains(_objects, o => o.Kind == "Service" && o.Name == "dggrn-dashboard");
        Assert.Contains(_objects, o => o.Kind == "Ingress" && o.Name == "dggrn-dashboard");
        Assert.Contains(_objects, o => o.Kind is "Deployment" or "DaemonSet" && o.Name == "dggrn-worker");
        var dotnet = Applied.SelectMany(o => o.Containers).Select(c => Repo.ServiceOfImage(c.Str("image")!)).OfType<string>().Order();
        Assert.Equal(["dashboard", "orchestrator", "orchestrator", "worker"], dotnet);
    }

    [Fact]
    public void EveryImageIsPinnedToAVersion()
    {
        var images = Applied.SelectMany(o => o.Containers.Select(c => (o.Name, Image: c.Str("image") ?? "")));
        Assert.All(images, i => Assert.True(ImageRef.Parse(i.Image).NotPinnedReason() is null, $"{i.Name}: {i.Image}: {ImageRef.Parse(i.Image).NotPinnedReason()}"));
        // kustomize's image overrides pin too, and each names an image the manifests use.
        var used = images.Select(i => ImageRef.Parse(i.Image).Repository).ToHashSet();
        foreach (var img in _kustomization.Seq("images")!.Children.OfType<YamlMappingNode>())
        {
            Assert.Contains(img.Str("name") ?? "", used);
            Assert.Null(new ImageRef(img.Str("name")!, img.Str("newTag"), img.Str("digest")).NotPinnedReason());
        }
    }

    [Fact]
    public void EveryContainerHasResourceRequestsAndLimits()
    {
        foreach (var o in Applied)
            foreach (var c in o.Containers)
                foreach (var kind in new[] { "requests", "limits" })
                {
                    var res = c.At("resources", kind) as YamlMappingNode;
                    Assert.True(res?.Child("cpu") is not null && res.Child("memory") is not null, $"{o.Name}/{c.Str("name")}: resources.{kind} needs cpu and memory");
                }
    }

    [Fact]
    public void WebServicesHaveReadinessAndLivenessProbesOnHealthAtTheirOwnPort()
    {
        var web = Applied.SelectMany(o => o.Containers.Select(c => (o.Name, Container: c)))
            .Where(x => Repo.ServiceOfImage(x.Container.Str("image")!) is "orchestrator" or "dashboard").ToList();
        Assert.Equal(3, web.Count);
        foreach (var (owner, c) in web)
        {
            var ports = c.Seq("ports")!.Children.OfType<YamlMappingNode>().ToList();
            var listens = System.Text.RegularExpressions.Regex.Match(Env(c)["Urls"], @"^http://\+:(\d+)$").Groups[1].Value;
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            {
                Assert.Equal("/health", (c.At(probe, "httpGet", "path") as YamlScalarNode)?.Value);
                var port = (c.At(probe, "httpGet", "port") as YamlScalarNode)?.Value;
                var declared = ports.SingleOrDefault(p => p.Str("name") == port || p.Str("containerPort") == port);
                Assert.True(declared is not null, $"{owner}/{c.Str("name")}: {probe} port {port} is not declared");
                Assert.Equal(listens, declared.Str("containerPort"));
            }
        }
        // Ports of containers in one pod must differ.
        foreach (var o in Applied.Where(o => o.PodSpec is not null))
        {
            var all = o.Containers.SelectMany(c => c.Seq("ports")?.Children.OfType<YamlMappingNode>() ?? []).Select(p => p.Str("containerPort")).ToList();
            Assert.Equal(all.Count, all.Distinct().Count());
        }
    }

    [Fact]
    public void TheApiSidecarForwardsToBothSilosOfThePod()
    {
        var pod = Workload("dggrn-orchestrator");
        var siloPorts = pod.Containers.Where(c => Repo.ServiceOfImage(c.Str("image")!) == "orchestrator")
            .Select(c => System.Text.RegularExpressions.Regex.Match(Env(c)["Urls"], @":(\d+)$").Groups[1].Value).Order().ToList();
        Assert.Equal(2, siloPorts.Count);
        var config = Assert.Single(_objects, o => o.Kind == "ConfigMap" && o.Name == "dggrn-orchestrator-api");
        var conf = (config.Node.At("data", "nginx.conf") as YamlScalarNode)!.Value!;
        var upstreams = System.Text.RegularExpressions.Regex.Matches(conf, @"server\s+127\.0\.0\.1:(\d+)").Select(m => m.Groups[1].Value).Order();
        Assert.Equal(siloPorts, upstreams);
        Assert.Contains("proxy_next_upstream error timeout", conf);
        var api = Assert.Single(pod.Containers, c => c.Str("name") == "api");
        var listen = System.Text.RegularExpressions.Regex.Match(conf, @"listen\s+(\d+);").Groups[1].Value;
        Assert.Contains(api.Seq("ports")!.Children.OfType<YamlMappingNode>(), p => p.Str("name") == "http" && p.Str("containerPort") == listen);
        // Its configuration is mounted from that ConfigMap.
        var volume = pod.PodSpec!.Seq("volumes")!.Children.OfType<YamlMappingNode>().Single(v => (v.At("configMap", "name") as YamlScalarNode)?.Value == config.Name);
        Assert.Contains(api.Seq("volumeMounts")!.Children.OfType<YamlMappingNode>(), m => m.Str("name") == volume.Str("name") && m.Str("mountPath") == "/etc/nginx/nginx.conf");
    }

    [Fact]
    public void WorkersRunOnGpuNodesWithAGpuEach()
    {
        var worker = Workload("dggrn-worker");
        var c = Assert.Single(worker.Containers);
        Assert.Equal("1", (c.At("resources", "limits", "nvidia.com/gpu") as YamlScalarNode)?.Value);
        Assert.Equal("1", (c.At("resources", "requests", "nvidia.com/gpu") as YamlScalarNode)?.Value);
        Assert.NotEmpty(worker.PodSpec!.Map("nodeSelector")!.Keys());
        var tolerations = worker.PodSpec!.Seq("tolerations")!.Children.OfType<YamlMappingNode>();
        Assert.Contains(tolerations, t => t.Str("key") == "nvidia.com/gpu" && t.Str("effect") == "NoSchedule");
        // No HTTP endpoint: a process probe keeps liveness honest.
        Assert.NotNull(c.At("livenessProbe", "exec", "command"));
        Assert.EndsWith("-cuda", ImageRef.Parse(c.Str("image")!).Tag);
        Assert.Equal("S3", Env(c)["CheckpointStore__Kind"]);
    }

    [Fact]
    public void SecretAndConfigReferencesResolve()
    {
        var keys = _objects.Where(o => o.Kind is "Secret" or "ConfigMap")
            .ToDictionary(o => (o.Kind, o.Name), o => ((o.Node.Map("stringData") ?? o.Node.Map("data"))?.Keys() ?? []).ToHashSet());
        foreach (var o in Applied)
            foreach (var c in o.Containers)
                foreach (var e in c.Seq("env")?.Children.OfType<YamlMappingNode>() ?? [])
                {
                    foreach (var (refKind, kind) in new[] { ("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap") })
                        if (e.At("valueFrom", refKind) is YamlMappingNode r)
                        {
                            Assert.True(keys.TryGetValue((kind, r.Str("name")!), out var have), $"{o.Name}: {e.Str("name")} refers to missing {kind} {r.Str("name")}");
                            Assert.True(have.Contains(r.Str("key")!), $"{o.Name}: {e.Str("name")} refers to missing key {r.Str("key")} of {kind} {r.Str("name")}");
                        }
                    // Secret-looking values never appear literally.
                    if (e.Str("name") is { } n && (n.Contains("Token") || n.Contains("SecretKey") || n.Contains("AccessKey") || n.StartsWith("ConnectionStrings__")))
                        Assert.True(e.At("valueFrom", "secretKeyRef") is not null, $"{o.Name}: {n} must come from a Secret");
                }
        // PostgreSQL and MinIO are external: nothing here runs them.
        Assert.DoesNotContain(Applied.SelectMany(o => o.Containers), c => c.Str("image")!.StartsWith("postgres") || c.Str("image")!.StartsWith("minio"));
    }

    [Fact]
    public void ServicesAndIngressPointAtRealPodsAndPorts()
    {
        foreach (var svc in Applied.Where(o => o.Kind == "Service"))
        {
            var selector = K8sObject.Labels(svc.Node.At("spec", "selector"));
            var target = Assert.Single(Applied, w => w.PodSpec is not null && selector.All(kv => w.TemplateLabels.GetValueOrDefault(kv.Key) == kv.Value));
            var containerPorts = target.Containers.SelectMany(c => c.Seq("ports")?.Children.OfType<YamlMappingNode>() ?? []).ToList();
            foreach (var p in svc.Node.At("spec", "ports") is YamlSequenceNode ps ? ps.Children.OfType<YamlMappingNode>() : [])
                Assert.Contains(containerPorts, cp => cp.Str("name") == p.Str("targetPort") || cp.Str("containerPort") == p.Str("targetPort"));
        }
        foreach (var w in Applied.Where(o => o.PodSpec is not null))
        {
            var match = K8sObject.Labels(w.Node.At("spec", "selector", "matchLabels"));
            Assert.All(match, kv => Assert.Equal(kv.Value, w.TemplateLabels.GetValueOrDefault(kv.Key)));
        }
        var ingress = Assert.Single(Applied, o => o.Kind == "Ingress");
        var backends = ingress.Node.At("spec", "rules") is YamlSequenceNode rules
            ? rules.Children.OfType<YamlMappingNode>().SelectMany(r => (r.At("http", "paths") as YamlSequenceNode)!.Children.OfType<YamlMappingNode>())
                .Select(p => (p.At("backend", "service", "name") as YamlScalarNode)!.Value!)
            : [];
        Assert.All(backends, b => Assert.Contains(Applied, o => o.Kind == "Service" && o.Name == b));
    }

    [Fact]
    public void PodsRunAsNonRootWithoutPrivilegeEscalation()
    {
        foreach (var w in Applied.Where(o => o.PodSpec is not null))
        {
            Assert.Equal("true", (w.PodSpec!.At("securityContext", "runAsNonRoot") as YamlScalarNode)?.Value);
            Assert.All(w.Containers, c => Assert.Equal("false", (c.At("securityContext", "allowPrivilegeEscalation") as YamlScalarNode)?.Value));
        }
    }

    static Dictionary<string, string> Env(YamlMappingNode container) =>
        (container.Seq("env")?.Children.OfType<YamlMappingNode>() ?? [])
        .ToDictionary(e => e.Str("name")!, e => e.Str("value") ?? "(from " + string.Join(",", (e.Map("valueFrom")?.Keys() ?? [])) + ")");
}
