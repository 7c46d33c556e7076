using System.Net;
using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service.Reports;

/// <summary>The worker's one path to the orchestrator for trial reports and leases: everything queued while a request is in
/// flight goes out together in the next POST /api/workers/{id}/reports, with the lease request when slots are free.</summary>
/// <remarks>
/// Group commit on the wire: a report that finds the outbox idle leaves at once; reports that arrive meanwhile share the next
/// request, so a busy worker sends few large batches and an idle one adds no delay. Every report is idempotent on the
/// orchestrator (lease, sequence), so a batch whose answer was lost is simply sent again: while the orchestrator is
/// unreachable the queued reports wait and are retried with backoff, and their callers wait with them (or give up on their
/// own tokens). A lease request is not retried: the worker asks again on its next round.
/// </remarks>
public sealed class ReportOutbox(OrchestratorClient client, Action<string> log) : ITrialReports
{
    readonly Lock _gate = new();
    readonly List<Pending> _queue = [];
    (LeaseRequest Request, TaskCompletionSource<LeaseGrant[]> Done)? _lease;
    bool _sending;
    string? _workerId;

    sealed record Pending(WorkerReport Report, TaskCompletionSource<ReportOutcome> Done, CancellationToken Ct);

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
    public long Requests { get; private set; }

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
        lock (_gate) _queue.Add(new Pending(report, done, ct));
        Kick();
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
            if (_sending || _workerId is null || (_queue.Count == 0 && _lease is null)) return;
            _sending = true;
        }
        _ = Task.Run(SendLoopAsync);
    }

    async Task SendLoopAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            List<Pending> batch;
            (LeaseRequest Request, TaskCompletionSource<LeaseGrant[]> Done)? lease;
            LeaseRequest? riding = null;
            string worker;
            lock (_gate)
            {
                _queue.RemoveAll(p => p.Ct.IsCancellationRequested);
                if (_workerId is null || (_queue.Count == 0 && _lease is null))
                {
                    _sending = false;
                    return;
                }
                batch = _queue[..Math.Min(_queue.Count, 1000)];
                _queue.RemoveRange(0, batch.Count);
                (lease, _lease, worker) = (_lease, null, _workerId);
            }
            var reports = batch.Select(p => p.Report).ToArray();
            if (lease is null && LeaseWith is { } with) riding = with(reports);
            try
            {
                var response = await client.ReportsAsync(worker, new WorkerReportBatch(reports, lease?.Request ?? riding), CancellationToken.None);
                Requests++;
                for (int n = 0; n < batch.Count; n++) batch[n].Done.TrySetResult(response.Outcomes[n]);
                lease?.Done.TrySetResult(response.Grants ?? []);
                if (riding is not null) Granted?.Invoke(riding, response.Grants ?? []);
                backoff = TimeSpan.FromMilliseconds(200);
            }
            catch (Exception e) when (OrchestratorClient.IsTransient(e))
            {
                // Unreachable or restarting: the reports go back to the head of the queue; the lease request is given up.
                lease?.Done.TrySetResult([]);
                if (riding is not null) Granted?.Invoke(riding, []);
                lock (_gate) _queue.InsertRange(0, batch);
                log($"reports: the orchestrator did not answer ({e.Message.Split('\n')[0]}); {batch.Count} report(s) wait, retrying in {backoff.TotalSeconds:0.#} s");
                await Task.Delay(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
            catch (Exception e)
            {
                // Refused as a whole (this token may not act for the worker, a malformed batch): every caller hears why.
                foreach (var p in batch) p.Done.TrySetException(e);
                lease?.Done.TrySetException(e);
                if (riding is not null) Granted?.Invoke(riding, []);
            }
        }
    }
}
