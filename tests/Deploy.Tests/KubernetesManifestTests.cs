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
        // Silos: a Deployment of two pods with one silo container each (TheSilosRunOnePerPod... checks the rest).
        var orchestrator = Workload("dggrn-orchestrator");
        Assert.Equal("orchestrator", Repo.ServiceOfImage(Assert.Single(orchestrator.Containers).Str("image")!));
        Assert.Equal("2", (orchestrator.Node.At("spec", "replicas") as YamlScalarNode)?.Value);
        Assert.Contains(_objects, o => o.Kind == "Service" && o.Name == "dggrn-orchestrator");
        Assert.Contains(_objects, o => o.Kind == "Service" && o.Name == "dggrn-dashboard");
        Assert.Contains(_objects, o => o.Kind == "Ingress" && o.Name == "dggrn-dashboard");
        Assert.Contains(_objects, o => o.Kind is "Deployment" or "DaemonSet" && o.Name == "dggrn-worker");
        var dotnet = Applied.SelectMany(o => o.Containers).Select(c => Repo.ServiceOfImage(c.Str("image")!)).OfType<string>().Distinct().Order();
        Assert.Equal(["dashboard", "orchestrator", "worker"], dotnet);
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
        Assert.Equal(2, web.Count);
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
    public void TheSilosRunOnePerPodAdvertiseThePodIpAndSurviveANodeLoss()
    {
        var silos = Workload("dggrn-orchestrator");
        Assert.Equal("Deployment", silos.Kind);
        var silo = Assert.Single(silos.Containers);
        var env = (silo.Seq("env")?.Children.OfType<YamlMappingNode>() ?? []).ToDictionary(e => e.Str("name")!);
        // Each silo advertises its own pod IP (downward API) and listens on the pod's interfaces.
        Assert.Equal("status.podIP", (env["Orchestrator__AdvertisedAddress"].At("valueFrom", "fieldRef", "fieldPath") as YamlScalarNode)?.Value);
        Assert.Null(env["Orchestrator__AdvertisedAddress"].Str("value"));
        Assert.Equal("true", env["Orchestrator__ListenOnAnyAddress"].Str("value"));
        Assert.Equal("AdoNet", env["Orchestrator__Clustering"].Str("value"));
        // Every pod uses the same ports, declared so that they are visible (silo-to-silo, gateway, HTTP).
        var ports = silo.Seq("ports")!.Children.OfType<YamlMappingNode>().Select(p => p.Str("containerPort")).ToHashSet();
        Assert.Contains(env["Orchestrator__SiloPort"].Str("value"), ports);
        Assert.Contains(env["Orchestrator__GatewayPort"].Str("value"), ports);
        // Upgrades roll one pod at a time, starting the new silo before stopping an old one.
        Assert.Equal("RollingUpdate", (silos.Node.At("spec", "strategy", "type") as YamlScalarNode)?.Value);
        Assert.Equal("0", (silos.Node.At("spec", "strategy", "rollingUpdate", "maxUnavailable") as YamlScalarNode)?.Value);
        // Preferably on different nodes, and a drain keeps one running.
        var anti = silos.PodSpec!.At("affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution") as YamlSequenceNode;
        var term = Assert.Single(anti!.Children.OfType<YamlMappingNode>()).Map("podAffinityTerm")!;
        Assert.Equal("kubernetes.io/hostname", term.Str("topologyKey"));
        Assert.All(K8sObject.Labels(term.At("labelSelector", "matchLabels")), kv => Assert.Equal(kv.Value, silos.TemplateLabels.GetValueOrDefault(kv.Key)));
        Assert.NotEmpty(K8sObject.Labels(term.At("labelSelector", "matchLabels")));
        var pdb = Assert.Single(Applied, o => o.Kind == "PodDisruptionBudget");
        Assert.Equal("1", pdb.Node.At("spec", "minAvailable") is YamlScalarNode m ? m.Value : null);
        var pdbSelects = K8sObject.Labels(pdb.Node.At("spec", "selector", "matchLabels"));
        Assert.NotEmpty(pdbSelects);
        Assert.All(pdbSelects, kv => Assert.Equal(kv.Value, silos.TemplateLabels.GetValueOrDefault(kv.Key)));
        // The Service in front of the API reaches the silo's HTTP port directly: no proxy container, no proxy config.
        var service = Assert.Single(Applied, o => o.Kind == "Service" && o.Name == "dggrn-orchestrator");
        var target = (Assert.Single((service.Node.At("spec", "ports") as YamlSequenceNode)!.Children.OfType<YamlMappingNode>())).Str("targetPort");
        var http = Assert.Single(silo.Seq("ports")!.Children.OfType<YamlMappingNode>(), p => p.Str("name") == target);
        Assert.Equal(System.Text.RegularExpressions.Regex.Match(env["Urls"].Str("value")!, @":(\d+)$").Groups[1].Value, http.Str("containerPort"));
        Assert.DoesNotContain(Applied.SelectMany(o => o.Containers), c => c.Str("image")!.StartsWith("nginx", StringComparison.Ordinal));
        // Workers and the dashboard use that Service.
        Assert.Equal($"http://{service.Name}:{(service.Node.At("spec", "ports") as YamlSequenceNode)!.Children.OfType<YamlMappingNode>().Single().Str("port")}",
            Assert.Single(_objects, o => o.Kind == "ConfigMap" && o.Name == "dggrn-config").Node.At("data", "orchestrator-url") is YamlScalarNode u ? u.Value : null);
    }

    [Fact]
    public void CheckpointsAreReconciledHourlyOneRunAtATimeWithTheWorkerImage()
    {
        var cron = Workload("dggrn-reconcile");
        Assert.Equal("CronJob", cron.Kind);
        Assert.Equal("Forbid", (cron.Node.At("spec", "concurrencyPolicy") as YamlScalarNode)?.Value);
        var schedule = (cron.Node.At("spec", "schedule") as YamlScalarNode)?.Value ?? "";
        Assert.Matches(@"^\d{1,2} \* \* \* \*$", schedule);
        var c = Assert.Single(cron.Containers);
        Assert.Equal("worker", Repo.ServiceOfImage(c.Str("image")!));
        Assert.Equal(["reconcile", "--delete"], c.Seq("args").Strings());
        Assert.Null(c.At("resources", "limits", "nvidia.com/gpu"));
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
