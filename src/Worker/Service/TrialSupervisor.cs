using System.Diagnostics;
using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Worker.Service.Reports;
using Dggrn.Worker.Service.Trial;

namespace Dggrn.Worker.Service;

/// <summary>Runs one leased trial in a child process and watches it: progress, reports, logs, hang, death, cancel, drain.</summary>
/// <remarks>
/// The child's lifecycle reports come to this process on its stdout and go out through the worker's outbox (batched with
/// every other trial's); the outcome goes back to the child as an "@ack" line. Its log lines go to the worker's log and, in
/// batches, to the dashboard's log tail. When the child dies without reporting its end (native crash, out-of-memory kill,
/// hang), this supervisor sends the child's unsent metrics from its journal, then reports the death with its cause as a
/// retryable failure, so the trial resumes from its last checkpoint.
/// </remarks>
public sealed class TrialSupervisor : ITrialRunner
{
    readonly LeaseGrant _grant;
    readonly TrialLaunch _launch;
    readonly WorkerOptions _options;
    readonly ReportOutbox _outbox;
    readonly LogShipper _logs;
    readonly Action<string> _log;
    readonly Queue<string> _tail = new();
    readonly Lock _stdin = new();
    readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly CancellationTokenSource _gone = new();
    Process? _process;
    string? _outcome;
    string? _killReason;
    bool _lost;
    bool _drainKilled;

    readonly Action? _ending;

    /// <summary>Prepares (does not start) a supervisor; <paramref name="ending"/> is called when the child's work is over.</summary>
    public TrialSupervisor(LeaseGrant grant, TrialLaunch launch, WorkerOptions options, ReportOutbox outbox, Action<string> log, Action? ending = null)
    {
        _ending = ending;
        _grant = grant;
        _launch = launch;
        _options = options;
        _outbox = outbox;
        _logs = new LogShipper(outbox, grant.TrialId, grant.LeaseId);
        _log = log;
        LastProgressAt = DateTimeOffset.UtcNow;
    }

    /// <inheritdoc/>
    public LeaseGrant Grant => _grant;

    /// <inheritdoc/>
    public string Device => _launch.Device;

    /// <summary>Newest epoch and step reported by the child.</summary>
    public int Epoch { get; private set; }

    /// <inheritdoc cref="Epoch"/>
    public long Step { get; private set; }

    /// <summary>When the child last showed a sign of life.</summary>
    public DateTimeOffset LastProgressAt { get; private set; }

    /// <inheritdoc/>
    public Task Finished => _exited.Task;

    /// <inheritdoc/>
    public bool Ending { get; private set; }

    /// <summary>The child's process id (for tests and logs).</summary>
    public int? ProcessId => _process?.Id;

    /// <inheritdoc/>
    public TrialProgress Progress => new(_grant.TrialId, _grant.LeaseId, Epoch, Step);

    /// <summary>Writes the launch file and starts the child.</summary>
    public void Start(IReadOnlyDictionary<string, string> environment)
    {
        var dir = Path.GetDirectoryName(_launch.JournalPath)!;
        Directory.CreateDirectory(dir);
        var launchPath = Path.Combine(dir, "launch.json");
        File.WriteAllText(launchPath, JsonSerializer.Serialize(_launch, OrchestratorClient.Json));
        var (file, prefix) = ChildCommand();
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("trial");
        psi.ArgumentList.Add(launchPath);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) OnLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) OnLine(e.Data); };
        p.Exited += (_, _) => _ = Task.Run(OnExitedAsync);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        _log($"trial {_grant.TrialId} attempt {_grant.Attempt}: started child pid {p.Id} on {_launch.Device}");
    }

    /// <inheritdoc/>
    public void Cancel() => Command(TrialSignal.CancelCommand);

    /// <inheritdoc/>
    public void Drain() => Command(TrialSignal.DrainCommand);

    /// <inheritdoc/>
    public void KillLost()
    {
        _lost = true;
        Kill("lease lost");
    }

    /// <inheritdoc/>
    public void KillForDrain()
    {
        _drainKilled = true;
        Kill($"did not finish draining within Worker:DrainSeconds = {_options.DrainSeconds}");
    }

    /// <summary>Kills the child and its descendants; the death is reported with <paramref name="reason"/>.</summary>
    public void Kill(string reason)
    {
        _killReason ??= reason;
        try { _process?.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* already exited */ }
    }

    /// <inheritdoc/>
    public bool CheckHung(DateTimeOffset now)
    {
        if (_exited.Task.IsCompleted || now - LastProgressAt < TimeSpan.FromSeconds(_options.HungTrialSeconds)) return false;
        Kill($"hung: no progress for {(now - LastProgressAt).TotalSeconds:F0} s (Worker:HungTrialSeconds = {_options.HungTrialSeconds}) at epoch {Epoch} step {Step}");
        return true;
    }

    void Command(string line)
    {
        try
        {
            lock (_stdin)
            {
                _process?.StandardInput.WriteLine(line);
                _process?.StandardInput.Flush();
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException) { /* exiting already */ }
    }

    void OnLine(string line)
    {
        LastProgressAt = DateTimeOffset.UtcNow;
        if (line.StartsWith(TrialSignal.Prefix, StringComparison.Ordinal))
        {
            TrialSignal? s = null;
            try { s = JsonSerializer.Deserialize<TrialSignal>(line.AsSpan(TrialSignal.Prefix.Length), OrchestratorClient.Json); }
            catch (JsonException) { }
            switch (s)
            {
                case { Kind: "progress" }:
                    Epoch = s.Epoch;
                    Step = s.Step;
                    return;
                case { Kind: "ending" }:
                    Ending = true;
                    _ending?.Invoke();
                    return;
                case { Kind: "done" }:
                    _outcome = s.Outcome;
                    return;
                case { Kind: "report", Report: { } report }:
                    _ = ForwardAsync(s.Seq, report);
                    return;
            }
        }
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 30) _tail.Dequeue();
        }
        _log($"[{_grant.TrialId.ToString()[..8]}] {line}");
        _logs.Add(line);
    }

    /// <summary>A child's report through the outbox; the outcome goes back to the child on its stdin.</summary>
    async Task ForwardAsync(long seq, WorkerReport report)
    {
        TrialAck ack;
        if (report.TrialId != _grant.TrialId)
            ack = new TrialAck(seq, 403, $"the trial process of {_grant.TrialId} may not report for trial {report.TrialId}");
        else
        {
            try
            {
                var o = await _outbox.EnqueueAsync(report, _gone.Token);
                ack = new TrialAck(seq, o.Status, o.Error);
            }
            catch (OperationCanceledException) { return; } // the child is gone; nobody waits for the answer
            catch (OrchestratorException e) { ack = new TrialAck(seq, (int)e.Status, e.Message); }
            catch (Exception e) { ack = new TrialAck(seq, 500, e.Message); }
        }
        Command(TrialAck.Prefix + JsonSerializer.Serialize(ack, OrchestratorClient.Json));
    }

    async Task OnExitedAsync()
    {
        try
        {
            var p = _process!;
            p.WaitForExit(); // drains the redirected output so the last "done" line is seen
            await _gone.CancelAsync();
            var code = p.ExitCode;
            if (_outcome is not null && _killReason is null)
            {
                _log($"trial {_grant.TrialId} attempt {_grant.Attempt}: {_outcome} (child exit code {code})");
                return;
            }
            if (_lost)
            {
                _log($"trial {_grant.TrialId}: child killed after the lease was lost");
                return;
            }
            var cause = _killReason ?? ChildExit.Describe(code);
            string tail;
            lock (_tail) tail = string.Join("\n", _tail.TakeLast(10));
            _log($"trial {_grant.TrialId} attempt {_grant.Attempt}: child {cause}");
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(_drainKilled ? 0.25 : 2));
            await MetricJournal.ReplayAsync(_launch.JournalPath, (b, ct) => _outbox.SendAsync(new WorkerReport(_grant.TrialId, Metrics: b), ct),
                _log, TimeSpan.FromSeconds(_drainKilled ? 5 : 60), cts.Token);
            var end = _drainKilled
                ? new WorkerReport(_grant.TrialId, Release: new TrialReleaseRequest(_grant.LeaseId, $"worker draining; trial process {cause}"))
                : new WorkerReport(_grant.TrialId, Failed: new TrialFailedRequest(_grant.LeaseId,
                    $"trial process {cause} at epoch {Epoch} step {Step}" + (tail.Length > 0 ? $"; last output:\n{tail}" : ""), Retryable: true));
            await _outbox.SendAsync(end, cts.Token);
        }
        catch (Exception e)
        {
            _log($"trial {_grant.TrialId}: reporting the child's end failed: {e.Message}");
        }
        finally
        {
            // The slot is free now; the last log lines follow on their own (bounded), they do not hold it.
            _exited.TrySetResult();
            await _logs.FlushAsync(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>How to start this executable again: the apphost, or `dotnet dggrn-worker.dll` when run through the muxer.</summary>
    internal static (string File, string[] Prefix) ChildCommand()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "dggrn-worker.dll");
        var self = Environment.ProcessPath ?? "dotnet";
        var host = Path.GetFileNameWithoutExtension(self) == "dggrn-worker" ? null : self;
        if (host is null) return (self, []);
        var dotnet = Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        return (dotnet, [dll]);
    }
}
