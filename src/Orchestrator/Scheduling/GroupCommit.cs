namespace Dggrn.Orchestrator.Scheduling;

/// <summary>Coalesces concurrent single writes into set-based ones (group commit): the first write starts a flush at once;
/// writes that arrive while it runs wait for the next flush, which takes all of them in one statement.</summary>
/// <remarks>Each grain writes its own trial through, and many grains write at the same moment (a worker's batch touches many
/// trials): this keeps one statement per burst instead of one per trial, with no added latency when the load is light.
/// A failed flush fails every write in it with the same exception; callers retry or report as for a single write.</remarks>
public sealed class GroupCommit<TItem, TResult>(Func<IReadOnlyList<TItem>, Task<TResult[]>> flush, int maxBatch = 500)
{
    readonly Lock _gate = new();
    List<(TItem Item, TaskCompletionSource<TResult> Done)> _pending = [];
    bool _flushing;

    /// <summary>Queues <paramref name="item"/>; completes with its result once the statement that carried it committed.</summary>
    public Task<TResult> AddAsync(TItem item)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _pending.Add((item, done));
            start = !_flushing;
            _flushing = true;
        }
        if (start) _ = Task.Run(FlushAllAsync);
        return done.Task;
    }

    async Task FlushAllAsync()
    {
        // Let the writes queued behind this one (the other trials of the same worker batch, already dispatched) join it.
        await Task.Yield();
        while (true)
        {
            List<(TItem Item, TaskCompletionSource<TResult> Done)> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    return;
                }
                if (_pending.Count <= maxBatch) (batch, _pending) = (_pending, []);
                else
                {
                    batch = _pending[..maxBatch];
                    _pending = _pending[maxBatch..];
                }
            }
            try
            {
                var results = await flush([.. batch.Select(b => b.Item)]);
                for (int n = 0; n < batch.Count; n++) batch[n].Done.TrySetResult(results[n]);
            }
            catch (Exception e)
            {
                foreach (var b in batch) b.Done.TrySetException(e);
            }
        }
    }
}
