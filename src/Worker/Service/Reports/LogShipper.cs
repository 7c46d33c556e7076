using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service.Reports;

/// <summary>One trial attempt's log lines to the dashboard's log tail, through the outbox: lines that arrive while one send is
/// in flight go out together in the next. Best effort: the lines are in the worker's own log whatever happens here.</summary>
public sealed class LogShipper(ITrialReports reports, Guid trialId, Guid leaseId)
{
    const int MaxQueued = 10_000, MaxPerReport = 200;
    readonly Lock _gate = new();
    readonly Queue<string> _lines = new();
    Task _sending = Task.CompletedTask;
    bool _busy;

    /// <summary>Queues a line (the oldest are dropped beyond 10,000 unsent).</summary>
    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > MaxQueued) _lines.Dequeue();
            if (_busy) return;
            _busy = true;
        }
        _sending = Task.Run(SendAllAsync);
    }

    /// <summary>Waits (at most <paramref name="limit"/>) for the queued lines to be sent.</summary>
    public Task FlushAsync(TimeSpan limit) => Task.WhenAny(_sending, Task.Delay(limit));

    async Task SendAllAsync()
    {
        while (true)
        {
            string[] batch;
            lock (_gate)
            {
                if (_lines.Count == 0)
                {
                    _busy = false;
                    return;
                }
                batch = [.. Enumerable.Range(0, Math.Min(_lines.Count, MaxPerReport)).Select(_ => _lines.Dequeue())];
            }
            try
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await reports.SendAsync(new WorkerReport(trialId, Log: new TrialLogRequest(leaseId, batch)), limit.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A refused or late log report (the lease moved on) is not worth more than the worker's own log has already.
            }
        }
    }
}
