using System.Collections.Concurrent;
using Dggrn.Contracts.Api;
using Dggrn.Worker.Numerics;

namespace Dggrn.Worker.Service;

/// <summary>The worker's main loop: register, heartbeat, lease into free slots, supervise trials, drain on request.</summary>
/// <remarks>
/// One loop owns all state, so no lock is needed around the slot table. Trials run in child processes
/// (<see cref="TrialSupervisor"/>); this process never loads a model, so a trial's native crash cannot take it down.
/// </remarks>
public sealed class WorkerService(
    WorkerOptions options,
    OrchestratorClient client,
    DeviceInfo[] devices,
    IReadOnlyDictionary<string, string> childEnvironment,
    Action<string> log)
{
    readonly Dictionary<Guid, TrialSupervisor> _running = [];
    readonly ConcurrentQueue<Guid> _finished = new();
    readonly SemaphoreSlim _wake = new(0);
    string? _workerId;
    NumericsInfo? _numerics;
    TimeSpan _heartbeatEvery = TimeSpan.FromSeconds(5);

    /// <summary>The id the orchestrator gave this worker (after registration).</summary>
    public string? WorkerId => _workerId;

    /// <summary>Trials running now.</summary>
    public IReadOnlyCollection<TrialSupervisor> Running => _running.Values;

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
        await RegisterAsync(drain);
        if (drain.IsCancellationRequested) return;
        var nextHeartbeat = DateTimeOffset.MinValue;
        var nextLease = DateTimeOffset.MinValue;
        while (!drain.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow;
            Reap();
            foreach (var s in _running.Values) s.CheckHung(now);
            if (now >= nextHeartbeat)
            {
                await HeartbeatAsync(drain);
                nextHeartbeat = now + _heartbeatEvery;
            }
            if (now >= nextLease && !drain.IsCancellationRequested && _numerics!.Passed)
            {
                if (await LeaseAsync(drain)) nextLease = now + _heartbeatEvery; else nextLease = now + TimeSpan.FromSeconds(1);
            }
            try { await _wake.WaitAsync(TimeSpan.FromMilliseconds(500), drain); }
            catch (OperationCanceledException) { }
        }
        await DrainAsync();
    }

    async Task RegisterAsync(CancellationToken ct)
    {
        try
        {
            var reg = await Reliably.CallAsync("register", c => client.RegisterAsync(new RegisterWorkerRequest(
                Environment.MachineName, Environment.ProcessId, devices, Version, options.Name, _numerics), c), log, ct);
            _workerId = reg.WorkerId;
            _heartbeatEvery = TimeSpan.FromSeconds(Math.Clamp(reg.HeartbeatSeconds, 1, Math.Max(1, reg.LeaseTtlSeconds / 3)));
            log($"registered as {reg.WorkerId} with {options.OrchestratorUrl}: {string.Join(", ", devices.Select(d => $"{d.Name} x{d.Slots}"))}; heartbeat every {_heartbeatEvery.TotalSeconds:0} s");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    int FreeSlots(DeviceInfo d) => d.Slots - _running.Values.Count(s => s.Device == d.Name);

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

    /// <summary>Asks for work for every device with a free slot; false when the orchestrator could not be asked.</summary>
    async Task<bool> LeaseAsync(CancellationToken ct)
    {
        foreach (var d in devices)
        {
            var free = FreeSlots(d);
            if (free <= 0) continue;
            LeaseGrant[] grants;
            try
            {
                grants = await client.LeaseAsync(_workerId!, new LeaseRequest(free, d.Name, d.Kind == "cpu" ? DeviceDetector.AvailableMemoryBytes() : d.MemoryBytes), ct);
            }
            catch (Exception e) when (OrchestratorClient.IsTransient(e) && !ct.IsCancellationRequested)
            {
                log($"lease request failed ({e.Message.Split('\n')[0]})");
                return false;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return false; }
            foreach (var g in grants.Take(free)) StartTrial(g, d);
        }
        return true;
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
        var s = new TrialSupervisor(g, launch, options, client, log);
        _running[g.TrialId] = s;
        try
        {
            s.Start(childEnvironment);
        }
        catch (Exception e)
        {
            _running.Remove(g.TrialId);
            log($"trial {g.TrialId}: could not start its process: {e.Message}");
            _ = Reliably.CallAsync("report start failure", c => client.FailedAsync(g.TrialId, new TrialFailedRequest(g.LeaseId, $"worker could not start the trial process: {e.Message}", true), c), log, CancellationToken.None, TimeSpan.FromMinutes(1));
            return;
        }
        _ = s.Finished.ContinueWith(_ => { _finished.Enqueue(g.TrialId); _wake.Release(); }, TaskScheduler.Default);
    }

    void Reap()
    {
        while (_finished.TryDequeue(out var id)) _running.Remove(id);
    }

    async Task DrainAsync()
    {
        Reap();
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
