using Dggrn.Orchestrator.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dggrn.Dashboard.Services;

/// <summary>
/// Live metric rows for a fixed set of trials and metric names: the full history once, then only rows with
/// an id above the last one seen, fetched on NOTIFY for one of the trials and on a poll tick.
/// </summary>
/// <remarks>
/// Fetches are serialised, so a notification and a tick never deliver the same row twice. Every point is
/// delivered: nothing is sampled. Dispose stops both the listener subscription and the timer.
/// </remarks>
public sealed class MetricStream(IDbContextFactory<LabDbContext> dbs, MetricsNotifier notifier, IOptions<DashboardOptions> options,
    ILogger<MetricStream> log) : IAsyncDisposable
{
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly CancellationTokenSource _stop = new();
    HashSet<Guid> _trials = [];
    // Reused trials read their original's rows (TrialSources); rows are handed out under the ids that asked for them.
    TrialSources? _sources;
    HashSet<Guid> _sourceIds = [];
    string[] _names = [];
    long _lastId;
    Func<IReadOnlyList<MetricRow>, Task>? _onRows;
    Task? _poller;
    int _disposed;

    /// <summary>
    /// Delivers the whole history to <paramref name="onRows"/> first, then every new row as it is written; returns when
    /// the history has been delivered. <paramref name="onRows"/> is called off the render thread, never concurrently.
    /// </summary>
    public async Task StartAsync(IEnumerable<Guid> trials, IEnumerable<string> names,
        Func<IReadOnlyList<MetricRow>, Task> onRows, CancellationToken ct = default)
    {
        _trials = [.. trials];
        _names = [.. names.Distinct()];
        _onRows = onRows;
        // Subscribe before reading the history so nothing written in between is missed; the gate and the id
        // cursor make the history the first delivery and keep later ones strictly newer.
        await _gate.WaitAsync(ct);
        try
        {
            await using (var db = await dbs.CreateDbContextAsync(ct)) _sources = await TrialSources.ResolveAsync(db, _trials, ct);
            _sourceIds = [.. _sources.Sources];
            notifier.MetricsWritten += OnNotified;
            var history = await FetchAsync(0, ct);
            if (history.Count > 0) _lastId = history[^1].Id;
            await onRows(history);
        }
        finally { _gate.Release(); }
        _poller = PollAsync();
    }

    void OnNotified(Guid trial)
    {
        if (_sourceIds.Contains(trial)) _ = PumpAsync();
    }

    async Task PollAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.1, options.Value.PollSeconds)));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token)) await PumpAsync();
        }
        catch (OperationCanceledException) { }
    }

    async Task PumpAsync()
    {
        if (_stop.IsCancellationRequested) return;
        try
        {
            await _gate.WaitAsync(_stop.Token);
            try
            {
                var rows = await FetchAsync(_lastId, _stop.Token);
                if (rows.Count == 0 || _onRows is null) return;
                // Rows come in id order; the cursor only moves forward.
                _lastId = rows[^1].Id;
                await _onRows(rows);
            }
            finally { _gate.Release(); }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        catch (Exception ex)
        {
            log.LogWarning("fetching new metric rows failed: {Error}", ex.Message);
        }
    }

    async Task<List<MetricRow>> FetchAsync(long afterId, CancellationToken ct)
    {
        if (_sourceIds.Count == 0 || _names.Length == 0 || _sources is null) return [];
        await using var db = await dbs.CreateDbContextAsync(ct);
        var ids = _sourceIds.ToArray();
        var rows = await db.Metrics.AsNoTracking()
            .Where(m => m.Id > afterId && ids.Contains(m.TrialId) && _names.Contains(m.Name))
            .OrderBy(m => m.Id)
            .Select(m => new MetricRow(m.Id, m.TrialId, m.Name, m.Step, m.Epoch, m.Value))
            .ToListAsync(ct);
        if (!_sources.AnyReused) return rows;
        // Each source row once per trial it stands for (an original and its reuse may share a chart); ids stay in order.
        var views = _sourceIds.ToDictionary(s => s, s => _sources.ViewsOf(s).ToArray());
        return [.. rows.SelectMany(r => views[r.TrialId].Select(v => r with { TrialId = v }))];
    }

    /// <inheritdoc />
    /// <remarks>Idempotent: the owning component and the circuit's service scope may both dispose it.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        notifier.MetricsWritten -= OnNotified;
        await _stop.CancelAsync();
        if (_poller is not null) await _poller;
        _stop.Dispose();
    }
}
