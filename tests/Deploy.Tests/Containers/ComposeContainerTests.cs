using System.Net;
using System.Text.Json.Nodes;
using Dggrn.Deploy.Tests.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace Dggrn.Deploy.Tests.Containers;

/// <summary>
/// deploy/compose under podman-compose with the images of deploy/podman/build-images.sh: the stack comes up healthy,
/// runs the smoke grid through the containers, and survives a killed worker, a killed silo and a PostgreSQL restart.
/// Opt-in (tests/run.sh --containers): it builds images and takes minutes.
/// </summary>
[Trait("Category", "Containers")]
[Collection(ContainersCollection.Name)]
public sealed class ComposeContainerTests(ContainerImages images, ComposeStack stack, ITestOutputHelper output) : IClassFixture<ComposeStack>
{
    static readonly string[] Healthchecked = ["postgres", "minio", "orchestrator-1", "orchestrator-2", "api", "dashboard"];

    string Logs(params string[] services) => string.Join('\n', services.Select(s =>
        $"--- {s}\n" + Shell.PodmanAsync("logs", "--tail", "25", stack.Container(s)).GetAwaiter().GetResult().Output));

    string Diagnostics() => Logs("orchestrator-1", "orchestrator-2", "worker", "api");

    [Fact]
    public async Task TheStackComesUpHealthyAndRunsTheSmokeGridThroughTheContainers()
    {
        output.WriteLine($"images: {images.BuildSeconds:0} s\n{images.BuildOutput}\ncompose up: {stack.UpSeconds:0} s\n{stack.UpOutput}");
        foreach (var service in Healthchecked)
            await Poll.UntilAsync($"{service} healthy", TimeSpan.FromSeconds(120), async () => await stack.HealthyAsync(stack.Container(service)) ? "ok" : null, Diagnostics);
        // Published on 127.0.0.1 only; PostgreSQL not at all.
        var ports = (await Shell.PodmanAsync("ps", "--filter", $"name=^{stack.Project}_", "--format", "{{.Names}} {{.Ports}}")).Output;
        Assert.Contains($"127.0.0.1:{stack.ApiPort}->5080/tcp", ports);
        Assert.DoesNotContain("0.0.0.0:", ports);
        Assert.DoesNotContain("->5432", ports);

        // Migrations ran once: each one is in the history once, and the two silos together applied each one once.
        var history = await stack.SqlAsync("SELECT count(*), count(DISTINCT migration_id) FROM __ef_migrations_history");
        Assert.Equal(history[0][0], history[0][1]);
        var applied = 0;
        foreach (var silo in new[] { "orchestrator-1", "orchestrator-2" })
            applied += (await Shell.PodmanAsync("logs", stack.Container(silo))).Output.Split('\n').Count(l => l.Contains("Applying migration '"));
        Assert.Equal(int.Parse(history[0][0]), applied);

        using var api = stack.Api();
        // One cluster of two silos, and both workers registered with a passing numerics check.
        await Poll.UntilAsync("both silos active in one cluster", TimeSpan.FromSeconds(120), async () =>
            await api.TryGetAsync("api/cluster") is { } c && c["members"]!.AsArray().Count(m => m!["status"]!.GetValue<string>() == "Active") == 2 ? c : null, Diagnostics);
        var workers = await Poll.UntilAsync("two workers registered", TimeSpan.FromSeconds(240), async () =>
            (await api.TryGetAsync("api/workers"))?.AsArray().Where(w => w!["state"]!.GetValue<string>() == "Active").ToList() is { Count: >= 2 } l ? l : null, Diagnostics);
        foreach (var i in new[] { 1, 2 })
            Assert.Equal("true", await ComposeStack.InspectAsync(stack.Container("worker", i), "{{.State.Running}}"));
        var hosts = new[] { 1, 2 }.Select(i => stack.Container("worker", i)).Select(c => ComposeStack.InspectAsync(c, "{{.Config.Hostname}}").GetAwaiter().GetResult()).ToList();
        Assert.All(hosts, h => Assert.Contains(workers, w => w!["host"]!.GetValue<string>() == h));

        // The sign-in link compose.sh prints opens the dashboard.
        var link = (await stack.ComposeAsync(TimeSpan.FromSeconds(60), "signin")).OrThrow("compose.sh signin").Output.Trim().Split('\n')[^1];
        Assert.StartsWith($"http://127.0.0.1:{stack.DashboardPort}/signin?token=", link);
        using (var handler = new HttpClientHandler { CookieContainer = new CookieContainer() })
        using (var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) })
        {
            var signedIn = await http.GetAsync(link);
            Assert.True(signedIn.IsSuccessStatusCode, $"sign-in link answered {(int)signedIn.StatusCode}");
            Assert.NotEmpty(handler.CookieContainer.GetCookies(new Uri($"http://127.0.0.1:{stack.DashboardPort}/")));
            var workersPage = await http.GetAsync($"http://127.0.0.1:{stack.DashboardPort}/workers");
            Assert.True(workersPage.IsSuccessStatusCode, $"dashboard /workers answered {(int)workersPage.StatusCode}");
        }

        // The smoke grid, submitted with the CLI inside a silo container against the api service, as an operator would.
        var started = DateTime.UtcNow;
        var submit = await Shell.RunAsync("podman", ["exec", "-e", "DGGRN_URL=http://api:5080", "-e", "DGGRN_TOKEN", stack.Container("orchestrator-1"),
            "dotnet", "dggrn.dll", "submit", "--preset", "smoke", "--wait"], TimeSpan.FromMinutes(15), new Dictionary<string, string> { ["DGGRN_TOKEN"] = stack.AdminToken });
        output.WriteLine($"smoke grid: {(DateTime.UtcNow - started).TotalSeconds:0} s\n{submit.Output}");
        submit.OrThrow("dggrn submit --preset smoke --wait");
        Assert.Contains("succeeded: 4/4 trials", submit.Output);
        var experimentId = submit.Output.Split('\n')[0].Trim();
        var trials = GridChecks.Trials(await api.TryGetAsync($"api/experiments/{experimentId}")).ToList();
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal("Succeeded", t["state"]!.GetValue<string>()));
        // Checkpoints in the S3 service, metrics in the PostgreSQL container (smoke: 2 epochs of 40 steps).
        await GridChecks.CheckpointsInS3Async(stack.SqlAsync, stack.Container("minio"), stack.Settings["DGGRN_BUCKET"], atLeast: 4);
        await GridChecks.EpochMetricsExactlyOnceAsync(stack.SqlAsync, trials, epochs: 2, stepsPerEpoch: 40);
    }

    const int Epochs = 5;
    const int StepsPerEpoch = 16;
    static readonly string FaultSpec = $"""
        name: container-faults
        protocol: dggrn-v1
        datasets:
          - name: Phantom
            modality: T2
            train: ["phantom:seed=1"]
            test: ["phantom:seed=3"]
        training:
          epochs: {Epochs}
          stepsPerEpoch: {StepsPerEpoch}
          batchSize: 16
          logEverySteps: 4
        grid:
          - tables: ["1"]
            methods: [dggrn, resnet]
            blocks: [2]
            filters: [8]
            scale: [2, 3]
            seed: [7]
        """;

    [Dggrn.Tests.Common.Fault("podman kill of the worker container running a trial after its first checkpoint, and of the scheduler's silo container; podman stop/start of PostgreSQL; SIGKILL of a container's main process",
        "the trial resumes on the other worker from its checkpoint; the grid completes through the surviving silo; no metric is lost or stored twice; the restart policy brings the crashed container back")]
    [Fact]
    public async Task TheGridSurvivesKilledContainersAndAPostgresRestart()
    {
        using var api = stack.Api();
        var workers = await Poll.UntilAsync("two workers registered", TimeSpan.FromSeconds(240), async () =>
            (await api.TryGetAsync("api/workers"))?.AsArray().Where(w => w!["state"]!.GetValue<string>() == "Active").ToList() is { Count: >= 2 } l ? l : null, Diagnostics);
        var workerContainers = new Dictionary<string, string>();   // worker id -> container (its host name is the container's)
        foreach (var c in new[] { stack.Container("worker", 1), stack.Container("worker", 2) })
        {
            var host = await ComposeStack.InspectAsync(c, "{{.Config.Hostname}}");
            foreach (var w in workers.Where(w => w!["host"]!.GetValue<string>() == host)) workerContainers[w!["id"]!.GetValue<string>()] = c;
        }
        var submitted = await api.PostAsync("api/experiments", new { spec = FaultSpec });
        var experimentId = submitted["id"]!.GetValue<string>();
        Assert.Equal(4, submitted["trials"]!.GetValue<int>());

        string? killedWorker = null, killedSilo = null;
        try
        {
            // 1. A trial running on a worker with a verified checkpoint behind it: podman kill that worker's container.
            var victim = await Poll.UntilAsync("a running trial with a checkpoint", TimeSpan.FromSeconds(300), async () =>
            {
                foreach (var t in GridChecks.Trials(await api.TryGetAsync($"api/experiments/{experimentId}")))
                    if (t["state"]!.GetValue<string>() == "Running" && t["worker"]?.GetValue<string>() is { } w && workerContainers.ContainsKey(w)
                        && (await stack.SqlAsync($"SELECT count(*) FROM checkpoints WHERE trial_id = '{t["id"]!.GetValue<string>()}'"))[0][0] != "0")
                        return t;
                return null;
            }, Diagnostics);
            var victimWorker = victim["worker"]!.GetValue<string>();
            killedWorker = workerContainers[victimWorker];
            var survivorWorker = workerContainers.Single(kv => kv.Value != killedWorker).Key;
            output.WriteLine($"podman kill {killedWorker} (worker {victimWorker}) running trial {victim["key"]} at epoch {victim["epoch"]}");
            (await Shell.PodmanAsync("kill", killedWorker)).OrThrow("podman kill worker");

            // 2. podman kill the silo that hosts the scheduler; the other must declare it dead and carry on.
            using var silo1 = new LabApi($"http://127.0.0.1:{stack.ApiPort}", stack.AdminToken);
            var cluster = (await Poll.UntilAsync("cluster view", TimeSpan.FromSeconds(60), () => silo1.TryGetAsync("api/cluster"), Diagnostics));
            var scheduler = cluster["scheduler"]!.GetValue<string>();
            var siloIps = new Dictionary<string, string>();
            foreach (var s in new[] { "orchestrator-1", "orchestrator-2" })
                siloIps[s] = await ComposeStack.InspectAsync(stack.Container(s), "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
            killedSilo = siloIps.FirstOrDefault(kv => scheduler.StartsWith($"S{kv.Value}:")).Key ?? "orchestrator-1";
            output.WriteLine($"podman kill {stack.Container(killedSilo)} (scheduler {scheduler})");
            (await Shell.PodmanAsync("kill", stack.Container(killedSilo))).OrThrow("podman kill silo");
            await Poll.UntilAsync("the killed silo declared dead", TimeSpan.FromSeconds(120), async () =>
                await api.TryGetAsync("api/cluster") is { } v && v["members"]!.AsArray().Any(m =>
                    m!["silo"]!.GetValue<string>().StartsWith($"S{siloIps[killedSilo]}:") && m["status"]!.GetValue<string>() == "Dead") ? v : null, Diagnostics);

            // 3. PostgreSQL stopped while trials report, until the surviving silo has felt it, then started again.
            var survivorSilo = killedSilo == "orchestrator-1" ? "orchestrator-2" : "orchestrator-1";
            var stoppedAt = DateTime.UtcNow;
            (await Shell.PodmanAsync("stop", stack.Container("postgres"))).OrThrow("podman stop postgres");
            await Poll.UntilAsync("the surviving silo noticed PostgreSQL is down", TimeSpan.FromSeconds(180), async () =>
            {
                var logs = (await Shell.PodmanAsync("logs", "--since", stoppedAt.ToString("yyyy-MM-ddTHH:mm:ssZ"), stack.Container(survivorSilo))).Output;
                return logs.Contains("Npgsql", StringComparison.Ordinal) || logs.Contains("57P0", StringComparison.Ordinal) ? "yes" : null;
            }, Diagnostics);
            (await Shell.PodmanAsync("start", stack.Container("postgres"))).OrThrow("podman start postgres");
            await Poll.UntilAsync("postgres healthy again", TimeSpan.FromSeconds(120), async () => await stack.HealthyAsync(stack.Container("postgres")) ? "ok" : null, Diagnostics);

            // 4. A crash (SIGKILL of the container's main process, not `podman kill`): the restart policy brings it back.
            var api1 = stack.Container("api");
            var restartsBefore = int.Parse(await ComposeStack.InspectAsync(api1, "{{.RestartCount}}"));
            var pid = await ComposeStack.InspectAsync(api1, "{{.State.Pid}}");
            (await Shell.RunAsync("kill", ["-9", pid], TimeSpan.FromSeconds(10))).OrThrow("kill -9 of the api container's nginx");
            await Poll.UntilAsync("the api container restarted by its policy and healthy", TimeSpan.FromSeconds(120), async () =>
                int.Parse(await ComposeStack.InspectAsync(api1, "{{.RestartCount}}")) > restartsBefore && await stack.HealthyAsync(api1) ? "ok" : null, Diagnostics);

            // The grid completes through the survivors.
            var final = await GridChecks.FinishedAsync(api, experimentId, 4, TimeSpan.FromMinutes(15), Diagnostics);
            Assert.All(final, t => Assert.True(t["state"]!.GetValue<string>() == "Succeeded", $"trial {t["key"]} ended {t["state"]}: {t["error"]}\n{Diagnostics()}"));
            // The killed trial was leased again and resumed from its checkpoint, on the other worker: `podman kill` is a
            // stop by the user, so the restart policy leaves the killed worker down.
            Assert.Equal("exited", await ComposeStack.InspectAsync(killedWorker, "{{.State.Status}}"));
            var resumed = final.Single(t => t["id"]!.GetValue<string>() == victim["id"]!.GetValue<string>());
            Assert.True(resumed["attempts"]!.GetValue<int>() >= 2, $"the killed trial shows {resumed["attempts"]} attempt(s)");
            Assert.True(resumed["resumedFromEpoch"]?.GetValue<int>() >= 1, $"the killed trial resumed from epoch {resumed["resumedFromEpoch"]}");
            Assert.Equal(survivorWorker, resumed["worker"]?.GetValue<string>());
            // Nothing lost, nothing doubled, across the kills and the PostgreSQL restart.
            await GridChecks.EpochMetricsExactlyOnceAsync(stack.SqlAsync, final, Epochs, StepsPerEpoch);
            await GridChecks.CheckpointsInS3Async(stack.SqlAsync, stack.Container("minio"), stack.Settings["DGGRN_BUCKET"], atLeast: 4);

        }
        finally
        {
            // Put the stack back as it was (the other test may run after this one): the killed containers start again.
            var killed = new[] { killedWorker, killedSilo is null ? null : stack.Container(killedSilo) }.OfType<string>().ToArray();
            if (killed.Length > 0) await Shell.PodmanAsync(["start", .. killed]);
            if (killedSilo is not null)
                await Poll.UntilAsync($"{killedSilo} healthy again", TimeSpan.FromSeconds(240), async () => await stack.HealthyAsync(stack.Container(killedSilo)) ? "ok" : null, Diagnostics);
        }
    }
}
