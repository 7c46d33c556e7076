using System.Diagnostics;
using System.Globalization;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace Dggrn.Orchestrator.Bench;

/// <summary>`dggrn bench orchestrator`: lifecycles/s, submit-to-start latency, metric ingest rows/s, recovery after a worker dies.</summary>
/// <remarks>
/// Runs a real orchestrator (silo + Kestrel, in this process) on a fresh database of the given PostgreSQL server and drives
/// it through the public HTTP API exactly as workers do: lease, started, metrics, complete, with "noop" trials, once with
/// batched reports (POST /api/workers/{id}/reports) and once with one report per request.
/// Options: --pg CONNSTR (or ConnectionStrings__Lab / DGGRN_BENCH_PG), --trials N (1000), --slots N (16), --slots-per-worker N (4),
/// --ingest-rows N (200000), --ttl SECONDS (10), --latency-samples N (100).
/// </remarks>
public static class OrchestratorBenchmark
{
    /// <summary>Runs the benchmark; prints a Markdown table. Returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        string? Opt(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Int(string name, int fallback) => Opt(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var pg = Opt("--pg") ?? Environment.GetEnvironmentVariable("DGGRN_BENCH_PG") ?? Environment.GetEnvironmentVariable("ConnectionStrings__Lab");
        if (string.IsNullOrEmpty(pg))
        {
            Console.Error.WriteLine("dggrn bench orchestrator: give a PostgreSQL server with --pg CONNSTR (or set DGGRN_BENCH_PG); a fresh database is created on it and dropped afterwards");
            return 2;
        }
        int trials = Int("--trials", 1000), slots = Int("--slots", 16), perWorker = Int("--slots-per-worker", 4), rows = Int("--ingest-rows", 200_000), ttl = Int("--ttl", 10), samples = Int("--latency-samples", 100);

        var dbName = $"bench_{Guid.NewGuid():N}";
        await ExecAsync(pg, $"CREATE DATABASE \"{dbName}\"");
        var cs = new NpgsqlConnectionStringBuilder(pg) { Database = dbName, MaxPoolSize = 100 }.ConnectionString;
        const string admin = "bench-admin";
        var app = OrchestratorHost.Create([], new Dictionary<string, string?>
        {
            ["ConnectionStrings:Lab"] = cs, ["Urls"] = "http://127.0.0.1:0", ["Orchestrator:BootstrapAdminToken"] = admin,
            ["Orchestrator:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orchestrator:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orchestrator:LeaseTtlSeconds"] = ttl.ToString(CultureInfo.InvariantCulture), ["Orchestrator:LeaseScanMilliseconds"] = "250",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        try
        {
            await app.StartAsync();
            var url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var user = new BenchClient(url, admin);
            var workerToken = (await user.PostAsync<CreateTokenResponse>("/api/tokens", new CreateTokenRequest("bench-worker", "worker"))).Token;
            var results = new List<(string, string)>();

            foreach (var batched in new[] { true, false })
            {
                var how = batched ? "batched reports: per worker round one started batch and one metrics + complete batch that leases the next trials; heartbeats on the worker's clock"
                    : "one report per request: lease, started, metrics, complete; heartbeats on the worker's clock";
                await LifecyclesAsync(url, user, workerToken, 64, slots, perWorker, batched, "bench-warmup"); // JIT and pools warm, not reported
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var (lifecyclesPerSecond, perLifecycleMs) = await LifecyclesAsync(url, user, workerToken, trials, slots, perWorker, batched);
                var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / trials;
                results.Add(($"{trials} noop lifecycles, {slots} slots ({slots / perWorker} workers x {perWorker}), {how}", $"{lifecyclesPerSecond:0} lifecycles/s"));
                results.Add(("  CPU of this process (silo + API + bench clients; PostgreSQL not included) per lifecycle", $"{cpuMs:0.00} ms"));
                results.Add(("  slot time per lifecycle (ideal 0 for noop)", $"{perLifecycleMs:0.0} ms"));
            }
            var (p50, p99) = await SubmitToStartAsync(url, user, workerToken, samples);
            results.Add(($"submit-to-start, idle cluster, {samples} one-trial submits", $"p50 {p50:0.0} ms, p99 {p99:0.0} ms"));
            var ingest = await IngestAsync(url, user, workerToken, rows);
            results.Add(($"metric ingest, {rows} points in batches of 5000, 4 concurrent trials", $"{ingest:0} rows/s"));
            var recovery = await RecoveryAsync(url, user, workerToken);
            results.Add(($"worker stops heartbeating -> trial running on another worker (lease TTL {ttl} s)", $"{recovery:0.00} s"));

            Console.WriteLine("| measurement | result |\n|---|---|");
            foreach (var (what, value) in results) Console.WriteLine($"| {what} | {value} |");
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await ExecAsync(pg, $"DROP DATABASE IF EXISTS \"{dbName}\" WITH (FORCE)");
        }
    }

    static string Noop(string name, int n) =>
        $"name: {name}\ndatasets: [{{ name: P, train: [\"phantom:seed=1\"], test: [\"phantom:seed=2\"] }}]\n" +
        $"grid: [{{ methods: [noop], seed: [{string.Join(",", Enumerable.Range(0, n))}] }}]\n";

    static async Task<(double PerSecond, double SlotMsPerLifecycle)> LifecyclesAsync(Uri url, BenchClient user, string token, int trials, int slots,
        int perWorker, bool batched, string name = "bench-lifecycles")
    {
        var workers = Enumerable.Range(0, Math.Max(1, slots / perWorker)).Select(_ => new BenchClient(url, token)).ToList();
        var registrations = await Task.WhenAll(workers.Select(w => w.RegisterWorkerAsync(perWorker)));
        var ids = registrations.Select(r => r.WorkerId).ToArray();
        var held = ids.Select(_ => new System.Collections.Concurrent.ConcurrentDictionary<Guid, LeaseGrant>()).ToArray();
        using var finished = new CancellationTokenSource();
        // Each worker heartbeats the leases it holds on its own clock, as dggrn-worker does (WorkerService: every
        // HeartbeatSeconds, at most a third of the lease TTL), not once per trial.
        var heartbeats = workers.Select((w, i) => HeartbeatLoopAsync(w, ids[i], held[i],
            TimeSpan.FromSeconds(Math.Clamp(registrations[i].HeartbeatSeconds, 1, Math.Max(1, registrations[i].LeaseTtlSeconds / 3))), finished.Token)).ToArray();
        var sw = Stopwatch.StartNew();
        await user.PostAsync<SubmitResponse>("/api/experiments", new SubmitRequest(Noop(name, trials), null, Rerun: true));
        int done = 0;
        await Task.WhenAll(workers.Select(async (w, i) =>
        {
            LeaseGrant[] grants = [];
            while (Volatile.Read(ref done) < trials || grants.Length > 0)
            {
                if (grants.Length == 0) grants = await w.LeaseAsync(ids[i], perWorker);
                if (grants.Length == 0) { await Task.Delay(5); continue; }
                foreach (var g in grants) held[i][g.TrialId] = g;
                var next = Array.Empty<LeaseGrant>();
                if (batched)
                {
                    next = await RunNoopBatchAsync(w, ids[i], grants, 3);
                    Interlocked.Add(ref done, grants.Length);
                }
                else
                    await Task.WhenAll(grants.Select(async g =>
                    {
                        await RunNoopAsync(w, g, 3);
                        Interlocked.Increment(ref done);
                    }));
                foreach (var g in grants) held[i].TryRemove(g.TrialId, out _);
                grants = next;
            }
        }));
        var seconds = sw.Elapsed.TotalSeconds;
        await finished.CancelAsync();
        await Task.WhenAll(heartbeats);
        workers.ForEach(w => w.Dispose());
        return (trials / seconds, seconds * 1000 * slots / trials);
    }

    static async Task HeartbeatLoopAsync(BenchClient w, string worker, System.Collections.Concurrent.ConcurrentDictionary<Guid, LeaseGrant> held,
        TimeSpan every, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, ct);
                await w.PostAsync<HeartbeatResponse>($"/api/workers/{worker}/heartbeat",
                    new HeartbeatRequest([.. held.Values.Select(g => new TrialProgress(g.TrialId, g.LeaseId, 0, 0))], 0));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    static MetricBatch NoopMetrics(LeaseGrant g, int points, DateTimeOffset now) => new(g.LeaseId, g.Attempt, 0,
        [.. Enumerable.Range(0, points).Select(i => new MetricPoint("train/loss", i, 1, 1.0 / (i + 1), now))]);

    static TrialCompletedRequest NoopResult(LeaseGrant g) => new(g.LeaseId, 1,
        new EvalResult { Method = "noop", Overall = new AxisResult { Slices = 1, Psnr = 1, Ssim = 1 } }, 0, 0);

    /// <summary>
    /// A worker that batches: its trials' starts in one request, then their metrics and results in another that also leases
    /// the next trials for the slots they free (returned).
    /// </summary>
    static async Task<LeaseGrant[]> RunNoopBatchAsync(BenchClient w, string worker, LeaseGrant[] grants, int points)
    {
        Check(await w.PostAsync<WorkerReportBatchResponse>($"/api/workers/{worker}/reports", new WorkerReportBatch(
            [.. grants.Select(g => new WorkerReport(g.TrialId, Started: new TrialStartedRequest(g.LeaseId, null)))])));
        var now = DateTimeOffset.UtcNow;
        var done = Check(await w.PostAsync<WorkerReportBatchResponse>($"/api/workers/{worker}/reports", new WorkerReportBatch(
            [.. grants.Select(g => new WorkerReport(g.TrialId, Metrics: NoopMetrics(g, points, now))),
             .. grants.Select(g => new WorkerReport(g.TrialId, Complete: NoopResult(g)))],
            new LeaseRequest(grants.Length, "cpu", 0))));
        return done.Grants ?? [];

        static WorkerReportBatchResponse Check(WorkerReportBatchResponse r) => r.Outcomes.FirstOrDefault(o => o.Status != 200) is { } bad
            ? throw new InvalidOperationException($"batched {bad.Kind} of trial {bad.TrialId}: {bad.Status} {bad.Error}") : r;
    }

    static async Task RunNoopAsync(BenchClient w, LeaseGrant g, int points)
    {
        await w.PostAsync($"/api/trials/{g.TrialId}/started", new TrialStartedRequest(g.LeaseId, null));
        await w.PostAsync($"/api/trials/{g.TrialId}/metrics", NoopMetrics(g, points, DateTimeOffset.UtcNow));
        await w.PostAsync($"/api/trials/{g.TrialId}/complete", NoopResult(g));
    }

    static async Task<(double P50, double P99)> SubmitToStartAsync(Uri url, BenchClient user, string token, int samples)
    {
        using var w = new BenchClient(url, token);
        var id = await w.RegisterAsync(1);
        var latencies = new List<double>();
        using var stop = new CancellationTokenSource();
        for (int i = 0; i < samples; i++)
        {
            var sw = Stopwatch.StartNew();
            await user.PostAsync<SubmitResponse>("/api/experiments", new SubmitRequest(Noop($"bench-latency-{i}", 1).Replace("seed: [0]", $"seed: [{100000 + i}]"), null, Rerun: true));
            LeaseGrant[] grants;
            while ((grants = await w.LeaseAsync(id, 1)).Length == 0) { }
            await w.PostAsync($"/api/trials/{grants[0].TrialId}/started", new TrialStartedRequest(grants[0].LeaseId, null));
            latencies.Add(sw.Elapsed.TotalMilliseconds);
            await w.PostAsync($"/api/trials/{grants[0].TrialId}/complete", new TrialCompletedRequest(grants[0].LeaseId, 1, new EvalResult(), 0, 0));
        }
        latencies.Sort();
        return (Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    static double Percentile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    static async Task<double> IngestAsync(Uri url, BenchClient user, string token, int rows)
    {
        using var w = new BenchClient(url, token);
        var id = await w.RegisterAsync(4);
        await user.PostAsync<SubmitResponse>("/api/experiments", new SubmitRequest(Noop("bench-ingest", 4).Replace("seed: [0,1,2,3]", "seed: [200000,200001,200002,200003]"), null, Rerun: true));
        var grants = new List<LeaseGrant>();
        while (grants.Count < 4) grants.AddRange(await w.LeaseAsync(id, 4 - grants.Count));
        const int batch = 5000;
        var perTrial = rows / 4 / batch;
        var now = DateTimeOffset.UtcNow;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(grants.Select(async g =>
        {
            for (int b = 0; b < perTrial; b++)
                await w.PostAsync($"/api/trials/{g.TrialId}/metrics", new MetricBatch(g.LeaseId, g.Attempt, b,
                    [.. Enumerable.Range(0, batch).Select(i => new MetricPoint("train/loss", (long)b * batch + i, 1, i, now))]));
        }));
        var perSecond = perTrial * 4 * batch / sw.Elapsed.TotalSeconds;
        foreach (var g in grants)
            await w.PostAsync($"/api/trials/{g.TrialId}/complete", new TrialCompletedRequest(g.LeaseId, 1, new EvalResult(), 0, 0));
        return perSecond;
    }

    static async Task<double> RecoveryAsync(Uri url, BenchClient user, string token)
    {
        using var dying = new BenchClient(url, token);
        using var rescuer = new BenchClient(url, token);
        var a = await dying.RegisterAsync(1);
        var b = await rescuer.RegisterAsync(1);
        await user.PostAsync<SubmitResponse>("/api/experiments", new SubmitRequest(Noop("bench-recovery", 1).Replace("seed: [0]", "seed: [300000]"), null, Rerun: true));
        LeaseGrant[] first;
        while ((first = await dying.LeaseAsync(a, 1)).Length == 0) { }
        await dying.PostAsync($"/api/trials/{first[0].TrialId}/started", new TrialStartedRequest(first[0].LeaseId, null));
        await dying.PostAsync<HeartbeatResponse>($"/api/workers/{a}/heartbeat", new HeartbeatRequest([new TrialProgress(first[0].TrialId, first[0].LeaseId, 0, 0)], 0));
        var sw = Stopwatch.StartNew(); // the worker dies right after its last heartbeat
        LeaseGrant? again = null;
        while (again is null)
        {
            var g = await rescuer.LeaseAsync(b, 1);
            if (g.Length == 0) await Task.Delay(50);
            else if (g[0].TrialId == first[0].TrialId) again = g[0];
            else throw new InvalidOperationException($"recovery measurement leased an unrelated trial {g[0].TrialId}");
        }
        await rescuer.PostAsync($"/api/trials/{again.TrialId}/started", new TrialStartedRequest(again.LeaseId, again.ResumeFrom?.Epoch));
        return sw.Elapsed.TotalSeconds;
    }

    static async Task ExecAsync(string cs, string sql)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
