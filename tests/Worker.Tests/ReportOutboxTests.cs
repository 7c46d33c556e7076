using Dggrn.Checkpoints;
using Dggrn.Contracts.Api;
using Dggrn.Worker.Service;
using Dggrn.Worker.Tests.Fixtures;

namespace Dggrn.Worker.Tests;

/// <summary>The worker's outbox under many short trials, against a real orchestrator and PostgreSQL: several batches in flight
/// at once must still deliver each trial's reports once and in order, and batch them.</summary>
public sealed class ReportOutboxTests : IAsyncLifetime
{
    readonly string _dir = Directory.CreateTempSubdirectory("dggrn-outbox-").FullName;
    OrchestratorInstance _orch = null!;

    public async Task InitializeAsync() => _orch = await OrchestratorInstance.StartAsync(leaseTtlSeconds: 30);

    public async Task DisposeAsync()
    {
        await _orch.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Many_short_trials_on_one_worker_report_once_each_in_order_and_in_few_requests()
    {
        const int trials = 120, slots = 8;
        var options = new WorkerOptions
        {
            OrchestratorUrl = _orch.BaseAddress.ToString(), Token = await _orch.WorkerTokenAsync(), Devices = "cpu", SlotsPerDevice = slots,
            Threads = 1, ScratchDirectory = Path.Combine(_dir, "scratch"), Name = "outbox",
        };
        var storeOptions = new CheckpointStoreOptions { Kind = "Local", LocalPath = Path.Combine(_dir, "store") };
        using var client = new OrchestratorClient(options.OrchestratorUrl, options.Token);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var service = new WorkerService(options, client, [new DeviceInfo("cpu", "cpu", 0, slots)],
            WorkerConfiguration.ChildEnvironment(options, storeOptions), new LocalCheckpointStore(storeOptions.LocalPath), log.Enqueue);
        using var drain = new CancellationTokenSource();
        var run = service.RunAsync(drain.Token);
        try
        {
            var exp = await _orch.SubmitAsync(
                "name: outbox\ndatasets: [{ name: P, train: [\"phantom:seed=1\"], test: [\"phantom:seed=2\"] }]\n" +
                $"grid: [{{ methods: [noop], seed: [{string.Join(",", Enumerable.Range(0, trials))}] }}]\n");
            await Poll.UntilAsync(() => _orch.StringsAsync("SELECT count(*) FROM trials WHERE experiment_id = @t AND state = 'Succeeded'", exp.Id),
                n => int.Parse(n.Single()) == trials, TimeSpan.FromMinutes(3), n => $"{n.Single()} of {trials} succeeded\n{string.Join("\n", log.TakeLast(20))}");

            // Each trial went Leased -> Running -> Succeeded exactly once: no report refused, lost, duplicated or reordered.
            var paths = await _orch.StringsAsync("""
                SELECT string_agg(x.to_state, '>' ORDER BY x.id) FROM trial_transitions x JOIN trials t ON t.id = x.trial_id
                WHERE t.experiment_id = @t GROUP BY x.trial_id
                """, exp.Id);
            Assert.Equal(trials, paths.Count);
            Assert.All(paths, p => Assert.EndsWith("Leased>Running>Succeeded", p));
            Assert.All(paths, p => Assert.Single(p.Split('>'), s => s == "Leased"));
            // A noop ends within the start's linger: start and completion leave together and are written by one statement
            // (one time for both transitions). Most, not all: on a loaded machine a trial can outlast the 2 ms.
            var together = int.Parse((await _orch.StringsAsync("""
                SELECT count(*) FROM trial_transitions r JOIN trial_transitions s ON s.trial_id = r.trial_id AND s.to_state = 'Succeeded'
                JOIN trials t ON t.id = r.trial_id WHERE t.experiment_id = @t AND r.to_state = 'Running' AND r.at = s.at
                """, exp.Id)).Single());
            Assert.True(together > trials / 2, $"{together} of {trials} trials sent their start and completion together");
            // One request per report and lease would be at least 4 per trial; the outbox shares requests between trials.
            Assert.True(service.Outbox.Requests < trials, $"{service.Outbox.Requests} requests for {trials} trials");
        }
        finally
        {
            await drain.CancelAsync();
            await run;
        }
    }
}
