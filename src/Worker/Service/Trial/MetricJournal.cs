using System.Text.Json;
using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service.Trial;

/// <summary>
/// Sends a trial attempt's metrics to the orchestrator in numbered batches, through an on-disk journal, in order.
/// </summary>
/// <remarks>
/// Every batch is appended to the journal file before it is sent, and its sequence number is fixed then,
/// so a retried or replayed batch carries the same idempotency key (worker, trial, attempt, sequence) and is
/// never stored twice. While the orchestrator or its database is unreachable, batches wait on disk and are
/// sent in order when it returns. The journal is bounded: when the unsent batches exceed the bound, a
/// warning is logged and <see cref="Add"/> blocks (training pauses) rather than dropping anything.
/// A journal left behind by a dead process is sent by <see cref="ReplayAsync"/>.
/// </remarks>
public sealed class MetricJournal : IAsyncDisposable
{
    const int PointsPerBatch = 50;
    static readonly TimeSpan SealAfter = TimeSpan.FromSeconds(2);

    readonly string _path;
    readonly Guid _leaseId;
    readonly int _attempt;
    readonly Func<MetricBatch, CancellationToken, Task> _send;
    readonly long _maxBytes;
    readonly Action<string> _log;
    readonly object _gate = new();
    readonly Queue<(MetricBatch Batch, long Bytes)> _unsent = new();
    readonly List<MetricPoint> _open = [];
    readonly CancellationTokenSource _stop = new();
    readonly SemaphoreSlim _signal = new(0);
    readonly Task _sender;
    DateTimeOffset _openedAt;
    long _sequence;
    long _unsentBytes;
    bool _warnedFull;
    bool _created;
    volatile string? _refused;

    /// <summary>Opens a fresh journal at <paramref name="path"/> (a journal already there is replayed first by the caller).</summary>
    public MetricJournal(string path, Guid leaseId, int attempt, Func<MetricBatch, CancellationToken, Task> send, long maxBytes, Action<string> log, long firstSequence = 1)
    {
        _path = path;
        _leaseId = leaseId;
        _attempt = attempt;
        _send = send;
        _maxBytes = maxBytes;
        _log = log;
        _sequence = firstSequence - 1;
        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>Batches sent and acknowledged so far.</summary>
    public long Acknowledged { get; private set; }

    /// <summary>Why the orchestrator refused a batch for good (the lease is no longer live); null while all is well.</summary>
    public string? Refused => _refused;

    /// <summary>Bytes of batches written but not yet acknowledged.</summary>
    public long UnsentBytes { get { lock (_gate) return _unsentBytes; } }

    /// <summary>Queues points; seals a batch when it is full or old enough. Blocks while the journal is over its bound.</summary>
    public void Add(params MetricPoint[] points)
    {
        lock (_gate)
        {
            if (_open.Count == 0) _openedAt = DateTimeOffset.UtcNow;
            _open.AddRange(points);
            if (_open.Count >= PointsPerBatch || DateTimeOffset.UtcNow - _openedAt >= SealAfter) SealLocked();
        }
        WaitForRoom();
    }

    /// <summary>Seals what is open into a batch (call at epoch ends so epoch metrics go out at once).</summary>
    public void Seal()
    {
        lock (_gate) SealLocked();
    }

    /// <summary>Seals and waits until every batch is acknowledged; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> FlushAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        Seal();
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (UnsentBytes > 0 || UnsentCount > 0)
        {
            if (_refused is not null) return false;
            if (DateTimeOffset.UtcNow >= deadline) return false;
            await Task.Delay(20, ct);
        }
        return true;
    }

    int UnsentCount { get { lock (_gate) return _unsent.Count; } }

    /// <summary>Sends the unacknowledged batches of a journal written by a process that died, in order; true when all went out.</summary>
    public static async Task<bool> ReplayAsync(string path, Func<MetricBatch, CancellationToken, Task> send, Action<string> log, TimeSpan retryFor, CancellationToken ct)
    {
        if (!File.Exists(path)) return true;
        var (pending, _) = ReadJournal(path);
        foreach (var b in pending)
        {
            try { await Reliably.CallAsync($"replay metric batch {b.Sequence}", c => send(b, c), log, ct, retryFor); }
            catch (Exception e) when (OrchestratorClient.IsTransient(e))
            {
                log($"metric journal {path}: {pending.Count} batch(es) could not be replayed: {e.Message}");
                return false;
            }
            File.AppendAllText(path, $"ack {b.Sequence}\n");
        }
        return true;
    }

    /// <summary>Batches in a journal file not yet acknowledged, and the highest sequence written.</summary>
    internal static (List<MetricBatch> Pending, long LastSequence) ReadJournal(string path)
    {
        var batches = new SortedDictionary<long, MetricBatch>();
        long last = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("ack ", StringComparison.Ordinal))
            {
                if (long.TryParse(line.AsSpan(4), out var acked)) batches.Remove(acked);
                continue;
            }
            if (line.Length == 0) continue;
            try
            {
                var b = JsonSerializer.Deserialize<MetricBatch>(line, OrchestratorClient.Json);
                if (b is null) continue;
                batches[b.Sequence] = b;
                last = Math.Max(last, b.Sequence);
            }
            catch (JsonException) { /* a torn last line from a crash mid-write: that batch was never sent */ }
        }
        return (batches.Values.ToList(), last);
    }

    /// <summary>Stops the sender; unsent batches stay in the journal for <see cref="ReplayAsync"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _signal.Release();
        try { await _sender; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    void SealLocked()
    {
        if (_open.Count == 0) return;
        var batch = new MetricBatch(_leaseId, _attempt, ++_sequence, _open.ToArray());
        _open.Clear();
        var line = JsonSerializer.Serialize(batch, OrchestratorClient.Json) + "\n";
        // The file is made fresh with the first batch: a trial that reports no metrics (noop) leaves no journal behind.
        if (!_created)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            File.WriteAllText(_path, "");
            _created = true;
        }
        // Written (and flushed) before it is queued: once a batch exists, only an acknowledgement removes it.
        using (var fs = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        using (var w = new StreamWriter(fs)) w.Write(line);
        _unsent.Enqueue((batch, line.Length));
        _unsentBytes += line.Length;
        _signal.Release();
    }

    void WaitForRoom()
    {
        lock (_gate)
        {
            if (_unsentBytes <= _maxBytes) return;
            if (!_warnedFull)
            {
                _warnedFull = true;
                _log($"WARNING: metric buffer full ({_unsentBytes >> 10} KiB unsent in {_path}, bound {_maxBytes >> 10} KiB): " +
                     "the orchestrator has not acknowledged metrics for a while; training waits until it does, nothing is dropped");
            }
            while (_unsentBytes > _maxBytes && !_stop.IsCancellationRequested && _refused is null) Monitor.Wait(_gate, 500);
        }
    }

    async Task SendLoopAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            (MetricBatch Batch, long Bytes) head;
            lock (_gate)
            {
                if (_unsent.Count == 0) head = default;
                else head = _unsent.Peek();
            }
            if (head.Batch is null)
            {
                await _signal.WaitAsync(TimeSpan.FromSeconds(1), ct).ContinueWith(_ => { }, TaskScheduler.Default);
                lock (_gate) if (_open.Count > 0 && DateTimeOffset.UtcNow - _openedAt >= SealAfter) SealLocked();
                continue;
            }
            try
            {
                await Reliably.CallAsync($"metric batch {head.Batch.Sequence}", c => _send(head.Batch, c), _log, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                // A permanent refusal (the lease is no longer live, a bad request): no retry can succeed, and the
                // orchestrator will not take this attempt's metrics from anyone. Stop sending; the batches stay on disk.
                _refused = $"metric batch {head.Batch.Sequence} refused: {e.Message}";
                _log(_refused);
                lock (_gate) Monitor.PulseAll(_gate);
                return;
            }
            lock (_gate)
            {
                // Under the gate: the journal is appended from two threads and appends must not interleave.
                File.AppendAllText(_path, $"ack {head.Batch.Sequence}\n");
                _unsent.Dequeue();
                _unsentBytes -= head.Bytes;
                Acknowledged++;
                if (_warnedFull && _unsentBytes <= _maxBytes)
                {
                    _warnedFull = false;
                    _log("metric buffer drained below its bound: training continues");
                }
                Monitor.PulseAll(_gate);
            }
        }
    }
}
