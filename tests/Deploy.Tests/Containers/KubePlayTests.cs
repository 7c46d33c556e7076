using Dggrn.Deploy.Tests.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace Dggrn.Deploy.Tests.Containers;

/// <summary>
/// deploy/k8s under `podman kube play` (deploy/podman/kube.sh): the Deployments, Services (as proxy pods), ConfigMaps
/// and Secrets with the same images as compose; the smoke grid completes. Ingress, CronJob, node selectors and GPU
/// requests cannot run here: KubernetesManifestTests checks them by parsing.
/// </summary>
[Trait("Category", "Containers")]
[Collection(ContainersCollection.Name)]
public sealed class KubePlayTests(ContainerImages images, ITestOutputHelper output) : IAsyncLifetime
{
    readonly Dictionary<string, string> _env = new()
    {
        ["DGGRN_KUBE_API_PORT"] = Poll.FreePort().ToString(),
        ["DGGRN_KUBE_DASHBOARD_PORT"] = Poll.FreePort().ToString(),
    };

    public Task InitializeAsync() { Shell.RequirePodman(); return Task.CompletedTask; }

    public async Task DisposeAsync() => await Shell.ScriptAsync("kube.sh", _env, TimeSpan.FromMinutes(5), "down");

    static string Diagnostics() => string.Join('\n', new[] { "dggrn-orchestrator-pod-0-silo", "dggrn-worker-pod-0-worker", "dggrn-worker-pod-1-worker" }
        .Select(c => $"--- {c}\n" + Shell.PodmanAsync("logs", "--tail", "25", c).GetAwaiter().GetResult().Output));

    async Task<List<string[]>> SqlAsync(string sql)
    {
        var r = (await Shell.PodmanAsync("exec", "postgres-postgres", "psql", "-U", "dggrn", "-d", "dggrn", "-v", "ON_ERROR_STOP=1", "-tA", "-F", "|", "-c", sql))
            .OrThrow("psql in the postgres pod");
        return r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToList();
    }

    [Fact]
    public async Task TheManifestsRunUnderPodmanKubePlayAndTheSmokeGridCompletes()
    {
        output.WriteLine(images.BuildOutput);
        await Shell.ScriptAsync("kube.sh", _env, TimeSpan.FromMinutes(5), "down");   // a stack an aborted run left
        var started = DateTime.UtcNow;
        var up = (await Shell.ScriptAsync("kube.sh", _env, TimeSpan.FromMinutes(15), "up")).OrThrow("deploy/podman/kube.sh up");
        output.WriteLine($"kube.sh up: {(DateTime.UtcNow - started).TotalSeconds:0} s\n{up.Output}");
        // What cannot run here is said, not silently dropped.
        foreach (var kind in new[] { "Ingress dggrn-dashboard", "CronJob dggrn-reconcile", "PodDisruptionBudget dggrn-orchestrator" })
            Assert.Contains($"not run here: {kind}", up.Output);
        Assert.Contains("nodeSelector and nvidia.com/gpu resources are ignored", up.Output);

        // Two replicas of each Deployment, as the manifests ask.
        var pods = (await Shell.PodmanAsync("pod", "ps", "--format", "{{.Name}}")).Output;
        foreach (var pod in new[] { "dggrn-orchestrator-pod-0", "dggrn-orchestrator-pod-1", "dggrn-worker-pod-0", "dggrn-worker-pod-1", "dggrn-dashboard-pod-0" })
            Assert.Contains(pod, pods);

        var state = Environment.GetEnvironmentVariable("DGGRN_PODMAN_STATE") ?? "/var/tmp/dggrn-podman";
        var admin = File.ReadAllLines(Path.Combine(state, "kube", "secrets.env"))
            .Single(l => l.StartsWith("DGGRN_ADMIN_TOKEN=")).Split('=', 2)[1];
        using var api = new LabApi($"http://127.0.0.1:{_env["DGGRN_KUBE_API_PORT"]}", admin);
        await Poll.UntilAsync("two workers registered", TimeSpan.FromSeconds(240), async () =>
            (await api.TryGetAsync("api/workers"))?.AsArray().Count(w => w!["state"]!.GetValue<string>() == "Active") >= 2 ? "ok" : null, Diagnostics);

        // The smoke grid through the dggrn-orchestrator Service, from inside a silo pod.
        var t0 = DateTime.UtcNow;
        var submit = await Shell.RunAsync("podman", ["exec", "-e", "DGGRN_URL=http://dggrn-orchestrator:5080", "-e", "DGGRN_TOKEN", "dggrn-orchestrator-pod-0-silo",
            "dotnet", "dggrn.dll", "submit", "--preset", "smoke", "--wait"], TimeSpan.FromMinutes(15), new Dictionary<string, string> { ["DGGRN_TOKEN"] = admin });
        output.WriteLine($"smoke grid: {(DateTime.UtcNow - t0).TotalSeconds:0} s\n{submit.Output}");
        submit.OrThrow("dggrn submit --preset smoke --wait");
        Assert.Contains("succeeded: 4/4 trials", submit.Output);
        var trials = GridChecks.Trials(await api.TryGetAsync($"api/experiments/{submit.Output.Split('\n')[0].Trim()}")).ToList();
        Assert.Equal(4, trials.Count);
        // Both worker pods took trials; checkpoints in the S3 pod, metrics in the PostgreSQL pod.
        Assert.Equal(2, trials.Select(t => t["worker"]?.GetValue<string>()).Distinct().Count());
        await GridChecks.CheckpointsInS3Async(SqlAsync, "minio-s3", "dggrn", atLeast: 4);
        await GridChecks.EpochMetricsExactlyOnceAsync(SqlAsync, trials, epochs: 2, stepsPerEpoch: 40);
    }
}
