using System.Collections.Concurrent;
using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Worker.Numerics;
using Dggrn.Worker.Service.Reports;
using Dggrn.Worker.Service.Trial;

namespace Dggrn.Worker.Service;

/// <summary>The worker's main loop: register, heartbeat, lease into free slots, supervise trials, drain on request.</summary>
/// <remarks>
/// One loop owns the slot table, except that trials granted with an answer to a report batch start on the outbox's thread
/// (the loop may be waiting on a lease of its own). Trials run in child processes
/// (<see cref="TrialSupervisor"/>); this process never loads a model, so a trial's native crash cannot take it down. (A
/// "noop" trial, which loads nothing, runs inline: <see cref="InlineTrial"/>.) Every trial's reports, and the loop's lease
/// requests, leave through one <see cref="ReportOutbox"/>, batched.
/// </remarks>
public sealed class WorkerService(
    WorkerOptions options,
    OrchestratorClient client,
    DeviceInfo[] devices,
    IReadOnlyDictionary<string, string> childEnvironment,
    ICheckpointStore store,
    Action<string> log)
{
    readonly ReportOutbox _outbox = new(client, log);
    readonly ConcurrentDictionary<Guid, ITrialRunner> _running = [];
    readonly ConcurrentQueue<ITrialRunner> _finished = new();
    readonly ConcurrentQueue<(LeaseRequest Asked, LeaseGrant[] Grants)> _granted = new();
    int _riding; // slots asked for by leases riding on report batches, not yet answered
    readonly Lock _starting = new(); // granted trials start under it, so none starts once draining began
    volatile bool _draining;
    readonly SemaphoreSlim _wake = new(0);
    string? _workerId;
    NumericsInfo? _numerics;
    TimeSpan _heartbeatEvery = TimeSpan.FromSeconds(5);

    /// <summary>The id the orchestrator gave this worker (after registration).</summary>
    public string? WorkerId => _workerId;

    /// <summary>Trials running now.</summary>
    public IReadOnlyCollection<ITrialRunner> Running => [.. _running.Values];

    /// <summary>The outbox every report and lease request goes through.</summary>
    public ReportOutbox Outbox => _outbox;

    /// <summary>The start-up numerics self-check (null until it ran).</summary>
    public NumericsInfo? Numerics => _numerics;

    /// <summary>Runs until <paramref name="drain"/> fires, then drains and returns (the caller exits 0).</summary>
    /// <remarks>A worker whose numerics self-check fails still registers and heartbeats, so the orchestrator shows why, but
    /// never asks for a lease.</remarks>
    public async Task RunAsync(CancellationToken drain)
    {
        try
        {
            _numerics = await StartupNumerics.CheckAsync(devices, TrialThreads, childEnvironment, drain);
            log(_numerics.Passed
                ? $"numerics: {_numerics.Path} convolutions agree with float64 (max relative error {_numerics.MaxRelativeError:0.0e+0}) at {_numerics.Threads} thread(s) on {_numerics.CpuModel}"
                : $"{_numerics.Reason}; taking no trials");
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested) { return; }
        _outbox.LeaseWith = LeaseWithReports;
        _outbox.Granted = OnRidingGrants;
        await RegisterAsync(drain);
        if (drain.IsCancellationRequested) return;
        var nextHeartbeat = DateTimeOffset.MinValue;
        var nextLease = DateTimeOffset.MinValue;
        while (!drain.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow;
            var freed = Reap();
            StartGranted();
            foreach (var s in _running.Values) s.CheckHung(now);
            if (now >= nextHeartbeat)
            {
                await HeartbeatAsync(drain);
                nextHeartbeat = now + _heartbeatEvery;
            }
            // A freed slot asks at once; an empty queue is polled at the heartbeat interval, a failed request after a second.
            if ((freed || now >= nextLease) && devices.Sum(Unasked) > 0 && !drain.IsCancellationRequested && _numerics!.Passed)
            {
                var granted = await LeaseAsync(drain);
                nextLease = granted < 0 ? now + TimeSpan.FromSeconds(1) : granted > 0 ? now : now + _heartbeatEvery;
                if (granted > 0 && devices.Sum(Unasked) > 0) continue; // fill the remaining slots now
            }
            try { await _wake.WaitAsync(TimeSpan.FromMilliseconds(500), drain); }
            catch (OperationCanceledException) { }
        }
        lock (_starting) _draining = true;
        await DrainAsync();
    }

    async Task RegisterAsync(CancellationToken ct)
    {
        try
        {
            var reg = await Reliably.CallAsync("register", c => client.RegisterAsync(new RegisterWorkerRequest(
                Environment.MachineName, Environment.ProcessId, devices, Version, options.Name, _numerics), c), log, ct);
            _workerId = reg.WorkerId;
            _outbox.WorkerId = reg.WorkerId;
            _heartbeatEvery = TimeSpan.FromSeconds(Math.Clamp(reg.HeartbeatSeconds, 1, Math.Max(1, reg.LeaseTtlSeconds / 3)));
            log($"registered as {reg.WorkerId} with {options.OrchestratorUrl}: {string.Join(", ", devices.Select(d => $"{d.Name} x{d.Slots}"))}; heartbeat every {_heartbeatEvery.TotalSeconds:0} s");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Slots of <paramref name="d"/> not taken by a trial still at work (one sending its last report counts as free).</summary>
    int FreeSlots(DeviceInfo d) => d.Slots - _running.Values.Count(s => s.Device == d.Name && !s.Ending);

    /// <summary>Free slots of <paramref name="d"/> no lease riding on a report batch has asked for yet.</summary>
    int Unasked(DeviceInfo d) => FreeSlots(d) - (d == devices[0] ? Volatile.Read(ref _riding) : 0);

    /// <summary>The lease that rides with a report batch: the slots its final reports (complete, failed, release) free, so the
    /// next trials arrive in the answer to the reports of the last ones, without a round trip of their own.</summary>
    /// <remarks>Called by the outbox on its own thread. Riding leases are for the first device only (a worker's devices are
    /// usually one CPU or a set of GPUs leased alike); the loop's own requests serve the rest.</remarks>
    LeaseRequest? LeaseWithReports(IReadOnlyList<WorkerReport> reports)
    {
        if (_draining || _numerics is not { Passed: true } || !reports.Any(r => r.Complete is not null || r.Failed is not null || r.Release is not null))
            return null;
        var d = devices[0];
        var n = Unasked(d);
        if (n <= 0) return null;
        Interlocked.Add(ref _riding, n);
        return new LeaseRequest(n, d.Name, d.Kind == "cpu" ? DeviceDetector.AvailableMemoryBytes() : d.MemoryBytes);
    }

    void OnRidingGrants(LeaseRequest asked, LeaseGrant[] grants)
    {
        _granted.Enqueue((asked, grants));
        StartGranted(); // now, not when the loop next runs: it may be waiting for the answer to a lease of its own
        _wake.Release();
    }

    /// <summary>Starts the trials riding leases brought; their slots count as asked for until then, so the loop never asks twice.
    /// Once draining, grants stay queued for <see cref="DrainAsync"/> to hand back.</summary>
    void StartGranted()
    {
        lock (_starting)
            while (!_draining && _granted.TryDequeue(out var x))
            {
                foreach (var g in x.Grants.Take(x.Asked.MaxTrials)) StartTrial(g, devices.First(d => d.Name == x.Asked.Device));
                Interlocked.Add(ref _riding, -x.Asked.MaxTrials);
            }
    }

    async Task HeartbeatAsync(CancellationToken ct)
    {
        try
        {
            var r = await client.HeartbeatAsync(_workerId!, new HeartbeatRequest(
                [.. _running.Values.Select(s => s.Progress)], devices.Sum(FreeSlots)), ct);
            foreach (var id in r.Cancel)
                if (_running.TryGetValue(id, out var s))
                {
                    log($"trial {id}: cancelled by the orchestrator; stopping at the next step");
                    s.Cancel();
                }
            foreach (var id in r.Lost)
                if (_running.TryGetValue(id, out var s))
                {
                    log($"trial {id}: lease lost; killing its process");
                    s.KillLost();
                }
        }
        catch (OrchestratorException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            log("heartbeat: the orchestrator no longer knows this worker; registering again");
            await RegisterAsync(ct);
        }
        catch (Exception e) when (OrchestratorClient.IsTransient(e) && !ct.IsCancellationRequested)
        {
            log($"heartbeat failed ({e.Message.Split('\n')[0]}); trials keep running");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Asks for work for every device with a free slot (through the outbox, with the reports waiting to go); returns
    /// how many trials it started, or -1 when the orchestrator could not be asked.</summary>
    async Task<int> LeaseAsync(CancellationToken ct)
    {
        var started = 0;
        foreach (var d in devices)
        {
            var free = Unasked(d);
            if (free <= 0) continue;
            LeaseGrant[] grants;
            try
            {
                grants = await _outbox.LeaseAsync(new LeaseRequest(free, d.Name, d.Kind == "cpu" ? DeviceDetector.AvailableMemoryBytes() : d.MemoryBytes), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return -1; }
            catch (Exception e) when (e is OrchestratorException)
            {
                log($"lease request refused ({e.Message.Split('\n')[0]})");
                return -1;
            }
            foreach (var g in grants.Take(free)) StartTrial(g, d);
            started += Math.Min(free, grants.Length);
        }
        return started;
    }

    /// <summary>The worker's version as it registers.</summary>
    public static string Version => typeof(WorkerService).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>Torch threads per trial on <paramref name="d"/>: Worker:Threads, else the processors shared by the CPU slots.</summary>
    int TrialThreads(DeviceInfo d) =>
        options.Threads > 0 ? options.Threads : Math.Max(1, Environment.ProcessorCount / Math.Max(1, d.Kind == "cpu" ? devices.Sum(x => x.Slots) : 1));

    void StartTrial(LeaseGrant g, DeviceInfo d)
    {
        var scratch = Path.Combine(ScratchRoot(options), $"{g.TrialId}-a{g.Attempt}-{g.LeaseId.ToString()[..8]}");
        var launch = new TrialLaunch(_workerId!, g, d.Name, TrialThreads(d), Path.Combine(scratch, "metrics.journal"));
        ITrialRunner s = InlineTrial.Suits(g.Config.Method)
            ? new InlineTrial(g, launch, options, _outbox, client, store, log)
            : new TrialSupervisor(g, launch, options, _outbox, log);
        _running[g.TrialId] = s;
        try
        {
            s.Start(childEnvironment);
        }
        catch (Exception e)
        {
            _running.TryRemove(g.TrialId, out _);
            log($"trial {g.TrialId}: could not start its process: {e.Message}");
            _ = _outbox.EnqueueAsync(new WorkerReport(g.TrialId, Failed: new TrialFailedRequest(g.LeaseId, $"worker could not start the trial process: {e.Message}", true)),
                new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
            return;
        }
        _ = s.Finished.ContinueWith(_ => { _finished.Enqueue(s); _wake.Release(); }, TaskScheduler.Default);
    }

    /// <summary>Forgets finished trials; true when a slot was freed.</summary>
    bool Reap()
    {
        var freed = false;
        // Only the runner that ended: a trial requeued and leased again while its old runner sent its last report has a new one.
        while (_finished.TryDequeue(out var r))
            freed |= _running.TryRemove(new KeyValuePair<Guid, ITrialRunner>(r.Grant.TrialId, r));
        return freed;
    }

    async Task DrainAsync()
    {
        _ = Reap();
        // Leases that arrived with the last reports but were never started go back at once.
        while (_granted.TryDequeue(out var x))
            foreach (var g in x.Grants)
                _ = _outbox.EnqueueAsync(new WorkerReport(g.TrialId, Release: new TrialReleaseRequest(g.LeaseId, "worker draining; never started")),
                    new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        if (_running.Count == 0) { log("drained: no trials were running"); return; }
        log($"draining {_running.Count} trial(s): checkpoint at the next step, then hand the leases back (at most {options.DrainSeconds} s)");
        foreach (var s in _running.Values) s.Drain();
        var all = Task.WhenAll(_running.Values.Select(s => s.Finished));
        // Keep heartbeating while trials finish their checkpoints, so their leases do not lapse meanwhile.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(options.DrainSeconds);
        while (!all.IsCompleted && DateTimeOffset.UtcNow < deadline)
        {
            await Task.WhenAny(all, Task.Delay(_heartbeatEvery));
            if (!all.IsCompleted) await HeartbeatAsync(CancellationToken.None);
        }
        if (!all.IsCompleted)
        {
            foreach (var s in _running.Values.Where(s => !s.Finished.IsCompleted)) s.KillForDrain();
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(20)));
        }
        log("drained");
    }

    /// <summary>Scratch folder root (Worker:ScratchDirectory, else a dggrn-worker folder under the temp directory).</summary>
    public static string ScratchRoot(WorkerOptions o) =>
        o.ScratchDirectory is { Length: > 0 } s ? Path.GetFullPath(s) : Path.Combine(Path.GetTempPath(), "dggrn-worker");
}
