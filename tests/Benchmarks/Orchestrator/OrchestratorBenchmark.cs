using System.Diagnostics;
using System.Globalization;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dggrn.Benchmarks.Orchestrator;

/// <summary>`dggrn bench orchestrator`: lifecycles/s, submit-to-start latency, metric ingest rows/s, recovery after a worker dies.</summary>
/// <remarks>
/// Runs a real orchestrator (silo + Kestrel, in this process) on a fresh database of the given PostgreSQL server. Lifecycles
/// of "noop" trials are measured on two paths in alternating rounds: the product's worker path (real WorkerService
/// instances, every report and lease through the outbox's batches, <see cref="WorkerPathLifecycles"/>) and, for comparison,
/// the path dggrn-worker took before (one request per report: lease, started, metrics, complete).
/// Options: --pg CONNSTR (or ConnectionStrings__Lab / DGGRN_BENCH_PG), --trials N (1000), --slots N (16), --slots-per-worker N (16),
/// --rounds N (3), --ingest-rows N (200000), --ttl SECONDS (10), --latency-samples N (100), --only worker|requests|ingest.
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
        int trials = Int("--trials", 1000), slots = Int("--slots", 16), perWorker = Int("--slots-per-worker", 16), rounds = Int("--rounds", 3),
            rows = Int("--ingest-rows", 200_000), ttl = Int("--ttl", 10), samples = Int("--latency-samples", 100);
        var only = Opt("--only"); // "worker" or "requests": one lifecycle path and nothing else (profiling); "ingest": see IngestRoundsAsync

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

            if (only == "ingest") return await IngestRoundsAsync(url, user, workerToken, cs, rows, rounds);
            // JIT, pools and grain activations warm on both paths first; not reported.
            if (only != "requests") await WorkerPathLifecycles.RunAsync(url, user, workerToken, cs, 64, slots, perWorker, "bench-warmup-worker");
            if (only != "worker") await PerRequestLifecyclesAsync(url, user, workerToken, cs, 64, slots, perWorker, "bench-warmup-requests");
            if (only is not null) Console.Error.WriteLine("warm: measuring now");
            var workerPath = new List<(double PerSecond, double CpuMs, double Requests)>();
            var perRequest = new List<(double PerSecond, double CpuMs)>();
            for (int round = 0; round < rounds; round++)
            {
                var w = only == "requests" ? default : await WorkerPathLifecycles.RunAsync(url, user, workerToken, cs, trials, slots, perWorker, $"bench-worker-{round}");
                workerPath.Add(w);
                var r = only == "worker" ? default : await PerRequestLifecyclesAsync(url, user, workerToken, cs, trials, slots, perWorker, $"bench-requests-{round}");
                perRequest.Add(r);
                Console.Error.WriteLine($"round {round + 1}: worker path {w.PerSecond:0}/s ({w.CpuMs:0.00} ms CPU, {w.RequestsPerLifecycle:0.00} requests per lifecycle), one report per request {r.PerSecond:0}/s ({r.CpuMs:0.00} ms CPU)");
            }
            static string Rates(IEnumerable<double> v) => $"{string.Join(", ", v.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))} (median {Median(v):0})";
            results.Add(($"{trials} noop lifecycles, {slots} slots ({slots / perWorker} x {perWorker}), the product's worker path: WorkerService, reports and leases batched by its outbox through the trial grains; {rounds} rounds",
                $"{Rates(workerPath.Select(x => x.PerSecond))} lifecycles/s"));
            results.Add(("  CPU of this process (silo + API + workers; PostgreSQL not included) per lifecycle; batch requests per lifecycle",
                $"{Median(workerPath.Select(x => x.CpuMs)):0.00} ms; {Median(workerPath.Select(x => x.Requests)):0.00}"));
            results.Add(($"same trials and slots, one report per request (the path dggrn-worker took before): lease, started, metrics, complete; alternating rounds",
                $"{Rates(perRequest.Select(x => x.PerSecond))} lifecycles/s"));
            results.Add(("  CPU of this process per lifecycle", $"{Median(perRequest.Select(x => x.CpuMs)):0.00} ms"));
            if (only is not null)
            {
                foreach (var (what, value) in results) Console.WriteLine($"| {what} | {value} |");
                return 0;
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
            if (args.Contains("--keep-db")) Console.Error.WriteLine($"kept database {dbName}");
            else await ExecAsync(pg, $"DROP DATABASE IF EXISTS \"{dbName}\" WITH (FORCE)");
        }
    }

    internal static string Noop(string name, int n) =>
        $"name: {name}\ndatasets: [{{ name: P, train: [\"phantom:seed=1\"], test: [\"phantom:seed=2\"] }}]\n" +
        $"grid: [{{ methods: [noop], seed: [{string.Join(",", Enumerable.Range(0, n))}] }}]\n";

    static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToList();
        return s.Count == 0 ? double.NaN : s[s.Count / 2];
    }

    /// <summary>Noop lifecycles the way dggrn-worker sent them before the outbox: per trial one request each for started,
    /// metrics and complete, a lease request per free slot round, heartbeats on the worker's own clock.</summary>
    static async Task<(double PerSecond, double CpuMs)> PerRequestLifecyclesAsync(Uri url, BenchClient user, string token, string cs, int trials,
        int slots, int perWorker, string name)
    {
        var workers = Enumerable.Range(0, Math.Max(1, slots / perWorker)).Select(_ => new BenchClient(url, token)).ToList();
        var registrations = await Task.WhenAll(workers.Select(w => w.RegisterWorkerAsync(perWorker)));
        var ids = registrations.Select(r => r.WorkerId).ToArray();
        var held = ids.Select(_ => new System.Collections.Concurrent.ConcurrentDictionary<Guid, LeaseGrant>()).ToArray();
        using var finished = new CancellationTokenSource();
        var heartbeats = workers.Select((w, i) => HeartbeatLoopAsync(w, ids[i], held[i],
            TimeSpan.FromSeconds(Math.Clamp(registrations[i].HeartbeatSeconds, 1, Math.Max(1, registrations[i].LeaseTtlSeconds / 3))), finished.Token)).ToArray();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var submitted = await user.PostAsync<SubmitResponse>("/api/experiments", new SubmitRequest(Noop(name, trials), null, Rerun: true));
        int done = 0;
        await Task.WhenAll(workers.Select(async (w, i) =>
        {
            while (Volatile.Read(ref done) < trials)
            {
                var grants = await w.LeaseAsync(ids[i], perWorker);
                if (grants.Length == 0) { await Task.Delay(5); continue; }
                foreach (var g in grants) held[i][g.TrialId] = g;
                await Task.WhenAll(grants.Select(async g =>
                {
                    await RunNoopAsync(w, g, 3);
                    Interlocked.Increment(ref done);
                    held[i].TryRemove(g.TrialId, out _);
                }));
            }
        }));
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / trials;
        await finished.CancelAsync();
        await Task.WhenAll(heartbeats);
        workers.ForEach(w => w.Dispose());
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        return (trials / await SpanSecondsAsync(c, submitted.Id), cpuMs);
    }

    /// <summary>Seconds from the experiment's first lease to its last completion (its trials' transitions).</summary>
    internal static async Task<double> SpanSecondsAsync(NpgsqlConnection c, Guid experiment)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT extract(epoch FROM max(x.at) FILTER (WHERE x.to_state = 'Succeeded') - min(x.at) FILTER (WHERE x.to_state = 'Leased'))::float8
            FROM trial_transitions x JOIN trials t ON t.id = x.trial_id WHERE t.experiment_id = @e
            """, c);
        cmd.Parameters.AddWithValue("e", experiment);
        return (double)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>A count query with one parameter @e.</summary>
    internal static async Task<long> CountAsync(NpgsqlConnection c, string sql, Guid e)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        cmd.Parameters.AddWithValue("e", e);
        return (long)(await cmd.ExecuteScalarAsync())!;
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

    /// <summary>Metric ingest alone, <paramref name="rounds"/> times, alternating with the rollup triggers (the product) and
    /// without them (disabled in the benchmark's database for that round only: what the rollups cost, not a product figure).</summary>
    static async Task<int> IngestRoundsAsync(Uri url, BenchClient user, string token, string cs, int rows, int rounds)
    {
        await IngestAsync(url, user, token, rows / 4, seedBase: 400000); // warm-up, not reported
        var with = new List<double>();
        var without = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            with.Add(await IngestAsync(url, user, token, rows, seedBase: 500000 + 10 * round));
            await ExecAsync(cs, "ALTER TABLE metrics DISABLE TRIGGER USER");
            try { without.Add(await IngestAsync(url, user, token, rows, seedBase: 600000 + 10 * round)); }
            finally { await ExecAsync(cs, "ALTER TABLE metrics ENABLE TRIGGER USER"); }
            Console.Error.WriteLine($"round {round + 1}: with rollups {with[^1]:0} rows/s, without {without[^1]:0} rows/s");
        }
        Console.WriteLine("| measurement | result |\n|---|---|");
        Console.WriteLine($"| metric ingest, {rows} points in batches of 5000, 4 concurrent trials, with the rollup triggers (the product); {rounds} rounds | " +
                          $"{string.Join(", ", with.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))} (median {Median(with):0}) rows/s |");
        Console.WriteLine($"| same, triggers disabled (not the product: what the rollups cost), alternating rounds | " +
                          $"{string.Join(", ", without.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))} (median {Median(without):0}) rows/s |");
        return 0;
    }

    static async Task<double> IngestAsync(Uri url, BenchClient user, string token, int rows, int seedBase = 200000)
    {
        using var w = new BenchClient(url, token);
        var id = await w.RegisterAsync(4);
        await user.PostAsync<SubmitResponse>("/api/experiments", new SubmitRequest(Noop("bench-ingest", 4).Replace("seed: [0,1,2,3]",
            $"seed: [{string.Join(",", Enumerable.Range(seedBase, 4))}]"), null, Rerun: true));
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
