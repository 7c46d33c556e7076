using System.Diagnostics;
using System.Net;
using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service.Reports;

/// <summary>The worker's one path to the orchestrator for trial reports and leases: reports queued while requests are in
/// flight go out together in the next POST /api/workers/{id}/reports, with the lease request when slots are free.</summary>
/// <remarks>
/// Group commit on the wire: a report that finds a sender free leaves at once; reports that arrive meanwhile share the next
/// request, so a busy worker sends few large batches and an idle one adds no delay. Up to <see cref="MaxInFlight"/> requests
/// are in flight at once, so trials that finish at different moments do not queue behind each other's round trips; a
/// trial's reports still leave in order, because none of a trial's reports is sent while an earlier one of it is in
/// flight. Every report is idempotent on the orchestrator (lease, sequence), so a batch whose answer was lost is simply
/// sent again: while the orchestrator is unreachable the queued reports wait and are retried with backoff, and their
/// callers wait with them (or give up on their own tokens). A lease request is not retried: the worker asks again on its
/// next round. A start waits up to <see cref="StartLinger"/> for its trial's next report before it leaves: a trial shorter than
/// a round trip (a noop, a cached evaluation) then sends its start and its end together, which the orchestrator writes as one
/// (a training trial's start is 2 ms later, which nothing notices).
/// </remarks>
public sealed class ReportOutbox(OrchestratorClient client, Action<string> log) : ITrialReports
{
    /// <summary>Requests in flight at once, at most.</summary>
    public const int MaxInFlight = 4;

    /// <summary>How long a start waits for the rest of a short trial's reports.</summary>
    public static readonly TimeSpan StartLinger = TimeSpan.FromMilliseconds(2);

    readonly Lock _gate = new();
    readonly List<Pending> _queue = [];
    readonly Lock _askGate = new();
    readonly HashSet<Guid> _busy = []; // trials with a report in flight
    (LeaseRequest Request, TaskCompletionSource<LeaseGrant[]> Done)? _lease;
    int _senders;
    DateTime _quietUntil = DateTime.MinValue; // after a transient failure, no sender tries before then
    TimeSpan _backoff = TimeSpan.FromMilliseconds(200);
    string? _workerId;
    long _requests;

    sealed record Pending(WorkerReport Report, TaskCompletionSource<ReportOutcome> Done, CancellationToken Ct, long Queued);

    /// <summary>The id the worker registered as (reports wait until it is set).</summary>
    public string? WorkerId
    {
        get { lock (_gate) return _workerId; }
        set
        {
            lock (_gate) _workerId = value;
            Kick();
        }
    }

    /// <summary>Requests (and their reports) sent so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>When no lease was asked for explicitly, asked with each batch about to go: the lease to ride with it (the
    /// worker asks for the slots the batch's final reports free), or null.</summary>
    public Func<IReadOnlyList<WorkerReport>, LeaseRequest?>? LeaseWith { get; set; }

    /// <summary>Receives the answer to a <see cref="LeaseWith"/> lease (empty when the batch failed).</summary>
    public Action<LeaseRequest, LeaseGrant[]>? Granted { get; set; }

    /// <inheritdoc/>
    public async Task SendAsync(WorkerReport report, CancellationToken ct)
    {
        var o = await EnqueueAsync(report, ct);
        if (o.Status != (int)HttpStatusCode.OK)
            throw new OrchestratorException((HttpStatusCode)o.Status, $"{o.Kind} report of trial {o.TrialId}: {o.Status}: {o.Error}");
    }

    /// <summary>Queues <paramref name="report"/>; completes with the orchestrator's outcome for it.</summary>
    public Task<ReportOutcome> EnqueueAsync(WorkerReport report, CancellationToken ct)
    {
        var done = new TaskCompletionSource<ReportOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _queue.Add(new Pending(report, done, ct, Stopwatch.GetTimestamp()));
        Kick();
        if (report.Started is not null) _ = Task.Delay(StartLinger).ContinueWith(_ => Kick(), TaskScheduler.Default); // it may be held until then
        return done.Task.WaitAsync(ct);
    }

    /// <summary>Asks for up to <see cref="LeaseRequest.MaxTrials"/> trials with the next batch; empty when the request failed.</summary>
    public Task<LeaseGrant[]> LeaseAsync(LeaseRequest request, CancellationToken ct)
    {
        var done = new TaskCompletionSource<LeaseGrant[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _lease?.Done.TrySetResult([]); // superseded by the newer request
            _lease = (request, done);
        }
        Kick();
        return done.Task.WaitAsync(ct);
    }

    void Kick()
    {
        lock (_gate)
        {
            if (_senders >= MaxInFlight || _workerId is null || !HasSendableLocked()) return;
            _senders++;
        }
        _ = Task.Run(SendLoopAsync);
    }

    bool HasSendableLocked()
    {
        if (_lease is not null) return true;
        Dictionary<Guid, Pending>? last = null;
        return _queue.Any(p => !_busy.Contains(p.Report.TrialId) && !LingersLocked(p, ref last));
    }

    /// <summary>Whether <paramref name="p"/> is a start still waiting for its trial's next report (none queued after it yet).</summary>
    bool LingersLocked(Pending p, ref Dictionary<Guid, Pending>? last)
    {
        if (p.Report.Started is null || Stopwatch.GetElapsedTime(p.Queued) >= StartLinger) return false;
        if (last is null)
        {
            last = [];
            foreach (var q in _queue) last[q.Report.TrialId] = q;
        }
        return ReferenceEquals(last[p.Report.TrialId], p);
    }

    /// <summary>Takes the next batch: queued reports of trials with nothing in flight, in queue order; a trial with a report
    /// left behind (in flight, lingering, or over the size limit) keeps all its later ones too.</summary>
    List<Pending> TakeBatchLocked()
    {
        var batch = new List<Pending>();
        var held = new HashSet<Guid>(_busy);
        Dictionary<Guid, Pending>? last = null;
        foreach (var p in _queue)
        {
            var trial = p.Report.TrialId;
            if (held.Contains(trial)) continue;
            if (LingersLocked(p, ref last)) { held.Add(trial); continue; }
            if (batch.Count == WorkerBatchLimit) { held.Add(trial); continue; }
            batch.Add(p);
        }
        var taken = new HashSet<Pending>(batch, ReferenceEqualityComparer.Instance);
        _queue.RemoveAll(taken.Contains); // one pass: a backlog of a thousand reports is not scanned once per report
        foreach (var p in batch) _busy.Add(p.Report.TrialId);
        return batch;
    }

    /// <summary>The most reports one request carries (the orchestrator's limit).</summary>
    const int WorkerBatchLimit = 1000;

    async Task SendLoopAsync()
    {
        while (true)
        {
            List<Pending> batch;
            (LeaseRequest Request, TaskCompletionSource<LeaseGrant[]> Done)? lease;
            LeaseRequest? riding = null;
            string worker;
            TimeSpan wait;
            lock (_gate)
            {
                _queue.RemoveAll(p => p.Ct.IsCancellationRequested);
                wait = _quietUntil - DateTime.UtcNow;
                if (wait <= TimeSpan.Zero)
                {
                    if (_workerId is null || !HasSendableLocked())
                    {
                        _senders--;
                        return;
                    }
                    batch = TakeBatchLocked();
                    (lease, _lease, worker) = (_lease, null, _workerId);
                }
                else (batch, lease, worker) = ([], null, "");
            }
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
                continue;
            }
            var reports = batch.Select(p => p.Report).ToArray();
            if (lease is null && LeaseWith is { } with)
                lock (_askGate) riding = with(reports); // one at a time: each counts the slots the one before asked for
            try
            {
                var response = await client.ReportsAsync(worker, new WorkerReportBatch(reports, lease?.Request ?? riding), CancellationToken.None);
                Interlocked.Increment(ref _requests);
                lock (_gate)
                {
                    foreach (var p in batch) _busy.Remove(p.Report.TrialId);
                    _backoff = TimeSpan.FromMilliseconds(200);
                }
                for (int n = 0; n < batch.Count; n++) batch[n].Done.TrySetResult(response.Outcomes[n]);
                lease?.Done.TrySetResult(response.Grants ?? []);
                if (riding is not null) Granted?.Invoke(riding, response.Grants ?? []);
            }
            catch (Exception e) when (OrchestratorClient.IsTransient(e))
            {
                // Unreachable or restarting: the reports go back to the head of the queue (their trials had nothing else in
                // flight, so their order holds); the lease request is given up; every sender pauses.
                lease?.Done.TrySetResult([]);
                if (riding is not null) Granted?.Invoke(riding, []);
                TimeSpan backoff;
                lock (_gate)
                {
                    _queue.InsertRange(0, batch);
                    foreach (var p in batch) _busy.Remove(p.Report.TrialId);
                    backoff = _backoff;
                    _quietUntil = DateTime.UtcNow + backoff;
                    _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                }
                log($"reports: the orchestrator did not answer ({e.Message.Split('\n')[0]}); {batch.Count} report(s) wait, retrying in {backoff.TotalSeconds:0.#} s");
            }
            catch (Exception e)
            {
                // Refused as a whole (this token may not act for the worker, a malformed batch): every caller hears why.
                lock (_gate)
                    foreach (var p in batch) _busy.Remove(p.Report.TrialId);
                foreach (var p in batch) p.Done.TrySetException(e);
                lease?.Done.TrySetException(e);
                if (riding is not null) Granted?.Invoke(riding, []);
            }
            Kick(); // reports of the trials just answered may be waiting for another sender
        }
    }
}
