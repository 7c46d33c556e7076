using System.Text.RegularExpressions;
using Dggrn.Deploy.Tests.Model;
using Dggrn.Deploy.Tests.Parsing;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Dggrn.Deploy.Tests;

/// <summary>deploy/compose/compose.yaml: the single-host deployment.</summary>
public sealed class ComposeFileTests
{
    readonly ComposeFile _compose = new();

    [Fact]
    public void EveryServiceThePlatformNeedsIsPresent()
    {
        var names = _compose.Services.Keys.ToHashSet();
        string[] required = ["postgres", "minio", "minio-init", "orchestrator-1", "orchestrator-2", "api", "dashboard", "worker"];
        foreach (var r in required) Assert.True(names.Contains(r), $"compose.yaml lacks service {r}");
        // Every .NET service is there, by image.
        var dotnet = _compose.Services.Values.Select(_compose.DotnetService).OfType<string>().ToList();
        Assert.Equal(2, dotnet.Count(s => s == "orchestrator"));
        Assert.Contains("worker", dotnet);
        Assert.Contains("dashboard", dotnet);
    }

    [Fact]
    public void EveryImageIsPinnedToAVersion()
    {
        var problems = new List<string>();
        foreach (var (name, svc) in _compose.Services)
        {
            var image = svc.Str("image");
            if (image is null) { problems.Add($"{name}: no image (a build needs an image name and tag too)"); continue; }
            var resolved = _compose.Resolve(image);
            if (ImageRef.Parse(resolved).NotPinnedReason() is { } why) problems.Add($"{name}: {resolved}: {why}");
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void PostgresKeepsDataInAVolumeAndReportsHealth()
    {
        var pg = _compose.Service("postgres");
        Assert.StartsWith("postgres:", pg.Str("image"));
        Assert.Contains(pg.Seq("volumes").Strings(), v => v.EndsWith(":/var/lib/postgresql/data") && IsNamedVolume(v));
        var test = string.Join(' ', pg.Map("healthcheck")!.Seq("test").Strings());
        Assert.Contains("pg_isready", test);
        // Its password is a secret from .env, never a literal in the file.
        Assert.Matches(@"^\$\{POSTGRES_PASSWORD(:\?[^}]*)?\}$", ComposeFile.Environment(pg)["POSTGRES_PASSWORD"]);
    }

    [Fact]
    public void MinioKeepsDataInAVolumeAndTheBucketIsCreatedOnceItIsHealthy()
    {
        var minio = _compose.Service("minio");
        Assert.StartsWith("minio/minio:", minio.Str("image"));
        Assert.Contains(minio.Seq("volumes").Strings(), v => v.EndsWith(":/data") && IsNamedVolume(v));
        Assert.Contains("ready", minio.Map("healthcheck")!.Seq("test").Strings());

        var init = _compose.Service("minio-init");
        Assert.StartsWith("minio/mc:", init.Str("image"));
        Assert.Equal("service_healthy", init.At("depends_on", "minio", "condition") is YamlScalarNode c ? c.Value : null);
        var script = string.Join('\n', init.Seq("command").Strings());
        Assert.Contains("mc mb --ignore-existing", script);
        // The worker waits for the bucket.
        Assert.Equal("service_completed_successfully",
            (_compose.Service("worker").At("depends_on", "minio-init", "condition") as YamlScalarNode)?.Value);
    }

    static readonly string[] Silos = ["orchestrator-1", "orchestrator-2"];

    [Fact]
    public void TwoSilosClusterThroughPostgresEachInItsOwnContainerAdvertisingItsServiceName()
    {
        var envs = Silos.ToDictionary(n => n, n => ComposeFile.Environment(_compose.Service(n)));
        foreach (var (name, env) in envs)
        {
            Assert.Equal("AdoNet", env["Orchestrator__Clustering"]);
            Assert.StartsWith("Host=postgres;", _compose.Resolve(env["ConnectionStrings__Lab"]));
            Assert.Contains("${DGGRN_ADMIN_TOKEN", env["Orchestrator__BootstrapAdminToken"]);
            // The other silo reaches this one at its service name (compose DNS), on every interface of its container.
            Assert.Equal(name, env["Orchestrator__AdvertisedAddress"]);
            Assert.Equal("true", env["Orchestrator__ListenOnAnyAddress"]);
            Assert.Equal("http://+:5080", env["Urls"]);
        }
        // No shared network namespace: each silo has its own network, and nothing holds one for them.
        Assert.All(Silos, n => Assert.Null(_compose.Service(n).Str("network_mode")));
        Assert.DoesNotContain(_compose.Services.Values, s => s.Str("network_mode") is { } mode && mode.StartsWith("service:", StringComparison.Ordinal));
        Assert.DoesNotContain(_compose.Services.Values, s => s.Str("image")?.Contains("pause:", StringComparison.Ordinal) == true);
        // Silos are reached inside the compose network only (through the api proxy), never published.
        Assert.All(Silos, n => Assert.Null(_compose.Service(n).Child("ports")));
        Assert.All(Silos, n =>
        {
            Assert.Equal("service_healthy", (_compose.Service(n).At("depends_on", "postgres", "condition") as YamlScalarNode)?.Value);
            Assert.Equal(["silo"], _compose.Service(n).Seq("command").Strings());
            var probe = string.Join(' ', _compose.Service(n).Map("healthcheck")!.Seq("test").Strings());
            Assert.Contains($"/dev/tcp/127.0.0.1/{HttpPort(envs[n]["Urls"])}", probe);
        });
    }

    [Fact]
    public void TheApiProxyForwardsToBothSilosByServiceNameAndClientsUseIt()
    {
        var conf = File.ReadAllText(Repo.Path("deploy/compose/nginx.conf"));
        var upstreams = Regex.Matches(conf, @"^\s*server\s+([\w-]+):(\d+)([^;]*);", RegexOptions.Multiline)
            .Select(m => (Host: m.Groups[1].Value, Port: m.Groups[2].Value, Options: m.Groups[3].Value)).ToList();
        Assert.Equal(Silos, upstreams.Select(u => u.Host).Order());
        Assert.All(upstreams, u => Assert.Equal(HttpPort(ComposeFile.Environment(_compose.Service(u.Host))["Urls"]), u.Port));
        // A recreated silo container gets a new address: nginx re-resolves the names through Docker's DNS.
        Assert.All(upstreams, u => Assert.Contains(" resolve", u.Options));
        Assert.Matches(@"(?m)^\s*resolver\s+127\.0\.0\.11\b", conf);
        Assert.Matches(@"(?m)^\s*zone\s+\S+\s+\d+k;", conf);
        Assert.Contains("proxy_next_upstream error timeout", conf);
        Assert.Contains("./nginx.conf:", string.Join(' ', _compose.Service("api").Seq("volumes").Strings()));
        // nginx 1.27.3 is the first open-source release with `server ... resolve`.
        var nginx = ImageRef.Parse(_compose.Service("api").Str("image")!);
        Assert.Equal("nginx", nginx.Repository);
        Assert.True(Version.Parse(Regex.Match(nginx.Tag!, @"^\d+\.\d+\.\d+").Value) >= new Version(1, 27, 3), $"nginx {nginx.Tag} lacks upstream resolve");
        // Workers and the dashboard talk to the proxy, not to one silo.
        Assert.Equal("http://api:5080", ComposeFile.Environment(_compose.Service("worker"))["Worker__OrchestratorUrl"]);
        Assert.Equal("http://api:5080", ComposeFile.Environment(_compose.Service("dashboard"))["Dashboard__OrchestratorUrl"]);
    }

    static string HttpPort(string urls) => Regex.Match(urls, @":(\d+)/?$").Groups[1].Value;

    [Fact]
    public void TheWorkerReservesNvidiaGpus()
    {
        var worker = _compose.Service("worker");
        var devices = worker.At("deploy", "resources", "reservations", "devices") as YamlSequenceNode;
        Assert.NotNull(devices);
        var gpu = Assert.Single(devices.Children.OfType<YamlMappingNode>());
        Assert.Equal("nvidia", gpu.Str("driver"));
        Assert.Contains("gpu", gpu.Seq("capabilities").Strings());
        Assert.True(gpu.Str("count") is "all" || int.TryParse(gpu.Str("count"), out _) || gpu.Child("device_ids") is not null,
            "the GPU reservation names a count or device ids");
        var env = ComposeFile.Environment(worker);
        Assert.Equal("S3", env["CheckpointStore__Kind"]);
        Assert.Equal("minio:9000", env["CheckpointStore__Endpoint"]);
        // The CUDA image is the default build.
        Assert.Equal("cuda", _compose.Resolve(worker.At("build", "args", "TORCH_VARIANT") is YamlScalarNode a ? a.Value! : ""));
    }

    [Fact]
    public void PublishedPortsBindToTheConfiguredAddressLoopbackByDefault()
    {
        var ports = _compose.Services.SelectMany(s => s.Value.Seq("ports").Strings().Select(p => (Service: s.Key, Port: p))).ToList();
        Assert.NotEmpty(ports);
        Assert.All(ports, p => Assert.StartsWith("${DGGRN_BIND:-127.0.0.1}:", p.Port));
        Assert.Equal("127.0.0.1", _compose.EnvExample["DGGRN_BIND"]);
        // Nothing else is published: the database in particular stays inside the compose network.
        Assert.DoesNotContain(ports, p => p.Service == "postgres");
    }

    [Fact]
    public void SecretsComeFromTheEnvFileAndEveryVariableIsInTheExample()
    {
        // Compose interpolates values (not comments): every scalar of the file.
        var used = Scalars(_compose.Root).SelectMany(ComposeInterpolation.VariablesIn).ToHashSet();
        Assert.Contains("POSTGRES_PASSWORD", used);
        Assert.Empty(used.Where(v => !_compose.EnvExample.ContainsKey(v)).Order());
        // Secret-looking settings are interpolated, never literal.
        var secrets = _compose.Services.SelectMany(s => ComposeFile.Environment(s.Value).Select(e => (s.Key, e.Key, e.Value)))
            .Where(e => Regex.IsMatch(e.Item2, "PASSWORD|SECRET|TOKEN|Token|SecretKey|AccessKey|ConnectionStrings"))
            .Where(e => !e.Value.Contains("${"))
            .Select(e => $"{e.Item1}.{e.Item2}");
        Assert.Empty(secrets);
        // The real .env stays out of git.
        var ignore = File.ReadAllLines(Repo.Path(".gitignore"));
        Assert.Contains("deploy/compose/.env", ignore);
        // The example interpolates: every required variable resolves.
        foreach (var svc in _compose.Services.Values)
            foreach (var value in ComposeFile.Environment(svc).Values) _compose.Resolve(value);
    }

    [Fact]
    public void DependenciesNameExistingServicesAndVolumesAreDeclared()
    {
        var names = _compose.Services.Keys.ToHashSet();
        var declared = _compose.Root.Map("volumes")?.Keys().ToHashSet() ?? [];
        foreach (var (name, svc) in _compose.Services)
        {
            var deps = svc.Child("depends_on") switch
            {
                YamlMappingNode m => m.Keys().ToList(),
                YamlSequenceNode s => s.Strings().ToList(),
                _ => [],
            };
            Assert.All(deps, d => Assert.True(names.Contains(d), $"{name} depends on missing service {d}"));
            foreach (var v in svc.Seq("volumes").Strings().Where(IsNamedVolume))
                Assert.True(declared.Contains(v.Split(':')[0]), $"{name} mounts undeclared volume {v}");
        }
    }

    [Fact]
    public void EveryBuiltServiceUsesAnExistingDockerfileFromTheRepositoryRoot()
    {
        foreach (var (name, svc) in _compose.Services.Where(s => s.Value.Child("build") is not null))
        {
            var context = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Repo.ComposeFile)!, svc.At("build", "context") is YamlScalarNode c ? c.Value! : "."));
            Assert.Equal(Path.GetFullPath(Repo.Path(".")).TrimEnd('/'), context.TrimEnd('/'));
            var dockerfile = (svc.At("build", "dockerfile") as YamlScalarNode)?.Value;
            Assert.NotNull(dockerfile);
            Assert.True(File.Exists(Path.Combine(context, dockerfile)), $"{name}: {dockerfile} is missing");
            Assert.Equal(Repo.Dockerfile(_compose.DotnetService(svc)!), Path.Combine(context, dockerfile));
        }
    }

    [Fact]
    public void TheCpuOverrideDropsTheGpuReservationOfAnExistingWorker()
    {
        var overlay = YamlFiles.Document(Repo.Path("deploy/compose/compose.cpu.yaml"));
        var services = overlay.Map("services")!;
        Assert.All(services.Keys(), n => Assert.Contains(n, _compose.Services.Keys));
        var worker = services.Map("worker")!;
        Assert.Equal("cpu", (worker.At("build", "args", "TORCH_VARIANT") as YamlScalarNode)?.Value);
        Assert.Equal("!reset", worker.Child("deploy")!.Tag.Value);
        var image = _compose.Resolve(worker.Str("image")!);
        Assert.Null(ImageRef.Parse(image).NotPinnedReason());
        Assert.EndsWith("-cpu", image);
        Assert.Equal("cpu", ComposeFile.Environment(worker)["Worker__Devices"]);
    }

    [Fact]
    public void AStoppingWorkerGetsLongerThanItsDrainTime()
    {
        var drain = WorkerDrainSeconds();
        var grace = Regex.Match(_compose.Service("worker").Str("stop_grace_period") ?? "", @"^(\d+)s$");
        Assert.True(grace.Success, "compose worker needs stop_grace_period in seconds");
        Assert.True(int.Parse(grace.Groups[1].Value) > drain, $"stop_grace_period {grace.Value} must exceed Worker:DrainSeconds {drain}");
        var k8s = K8sObject.LoadFolder(Repo.K8sDir).Single(o => o.Name == "dggrn-worker" && o.PodSpec is not null);
        Assert.True(int.Parse(k8s.PodSpec!.Str("terminationGracePeriodSeconds") ?? "30") > drain, "k8s worker terminationGracePeriodSeconds must exceed Worker:DrainSeconds");
    }

    /// <summary>The default of WorkerOptions.DrainSeconds, read from its source.</summary>
    static int WorkerDrainSeconds()
    {
        var source = Directory.EnumerateFiles(Repo.Path("src/Worker"), "WorkerOptions.cs", SearchOption.AllDirectories).Single();
        var m = Regex.Match(File.ReadAllText(source), @"int\s+DrainSeconds\s*\{\s*get;\s*set;\s*\}\s*=\s*(\d+);");
        Assert.True(m.Success, $"{source}: DrainSeconds default not found");
        return int.Parse(m.Groups[1].Value);
    }

    static IEnumerable<string> Scalars(YamlNode node) => node switch
    {
        YamlScalarNode s => [s.Value ?? ""],
        YamlMappingNode m => m.Children.SelectMany(kv => Scalars(kv.Key).Concat(Scalars(kv.Value))),
        YamlSequenceNode q => q.Children.SelectMany(Scalars),
        _ => [],
    };

    static bool IsNamedVolume(string mount) => mount.Contains(':') && !".$/~".Contains(mount[0]);
}
