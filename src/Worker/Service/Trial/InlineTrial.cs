using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Worker.Service.Reports;

namespace Dggrn.Worker.Service.Trial;

/// <summary>A trial that needs no isolation, run inside the worker: the same <see cref="TrialRun"/> as a trial process, its
/// reports straight into the worker's outbox. Only for methods that load no model and no data ("noop": what a scheduling
/// benchmark or a pipeline check submits), where starting a process would cost a hundred times the trial.</summary>
public sealed class InlineTrial(LeaseGrant grant, TrialLaunch launch, WorkerOptions options, ReportOutbox outbox, OrchestratorClient client,
    ICheckpointStore store, Action<string> log, Action? ending = null) : ITrialRunner, ITrialHost
{
    readonly LogShipper _logs = new(outbox, grant.TrialId, grant.LeaseId);
    readonly CancellationTokenSource _stop = new();
    readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    volatile string _reason = "";
    int _epoch;
    long _step;

    /// <summary>Whether <paramref name="method"/> runs inline rather than in a trial process.</summary>
    public static bool Suits(string method) => method.Equals("noop", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public LeaseGrant Grant => grant;

    /// <inheritdoc/>
    public string Device => launch.Device;

    /// <inheritdoc/>
    public TrialProgress Progress => new(grant.TrialId, grant.LeaseId, _epoch, Interlocked.Read(ref _step));

    /// <inheritdoc/>
    public Task Finished => _finished.Task;

    /// <inheritdoc/>
    public bool Ending { get; private set; }

    /// <inheritdoc/>
    void ITrialHost.Ending()
    {
        Ending = true;
        ending?.Invoke();
    }

    /// <inheritdoc/>
    public void Start(IReadOnlyDictionary<string, string> environment) => _ = Task.Run(async () =>
    {
        try { await TrialRun.RunAsync(launch, options, store, client, this, () => _reason, _stop.Token); }
        catch (Exception e) { log($"trial {grant.TrialId}: {e.Message}"); }
        finally
        {
            // The slot is free now; the last log lines follow on their own (bounded), they do not hold it.
            _finished.TrySetResult();
            await _logs.FlushAsync(TimeSpan.FromSeconds(5));
        }
    });

    /// <inheritdoc/>
    public void Cancel() => Stop(TrialSignal.CancelCommand);

    /// <inheritdoc/>
    public void Drain() => Stop(TrialSignal.DrainCommand);

    /// <inheritdoc/>
    public void KillLost() => Stop(TrialSignal.CancelCommand);

    /// <inheritdoc/>
    public void KillForDrain() => Stop(TrialSignal.DrainCommand);

    /// <inheritdoc/>
    public bool CheckHung(DateTimeOffset now) => false;

    void Stop(string reason)
    {
        if (_stop.IsCancellationRequested) return;
        _reason = reason;
        _stop.Cancel();
    }

    /// <inheritdoc/>
    void ITrialHost.Progress(int epoch, long step)
    {
        _epoch = epoch;
        Interlocked.Exchange(ref _step, step);
    }

    /// <inheritdoc/>
    public void Log(string line)
    {
        var stamped = $"{DateTimeOffset.UtcNow:HH:mm:ss} {line}";
        log($"[{grant.TrialId.ToString()[..8]}] {stamped}");
        _logs.Add(stamped);
    }

    /// <inheritdoc/>
    public void Done(string outcome, string? message = null) => log($"trial {grant.TrialId} attempt {grant.Attempt}: {outcome} (inline)");

    /// <inheritdoc/>
    public Task SendAsync(WorkerReport report, CancellationToken ct) => outbox.SendAsync(report, ct);
}
