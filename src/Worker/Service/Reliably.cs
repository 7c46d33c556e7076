namespace Dggrn.Worker.Service;

/// <summary>Retries an orchestrator call with backoff while it fails transiently (network, 5xx).</summary>
public static class Reliably
{
    /// <summary>Runs <paramref name="op"/> until success, a permanent error, cancellation, or <paramref name="retryFor"/> (null = forever).</summary>
    public static async Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> op, Action<string> log, CancellationToken ct, TimeSpan? retryFor = null)
    {
        var deadline = retryFor is { } r ? DateTimeOffset.UtcNow + r : DateTimeOffset.MaxValue;
        var delay = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await op(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && OrchestratorClient.IsTransient(e) && DateTimeOffset.UtcNow + delay < deadline)
            {
                if (attempt == 1 || attempt % 10 == 0)
                    log($"{what}: orchestrator unreachable ({e.GetType().Name}: {e.Message.Split('\n')[0]}); retrying (attempt {attempt})");
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    /// <inheritdoc cref="CallAsync{T}"/>
    public static Task CallAsync(string what, Func<CancellationToken, Task> op, Action<string> log, CancellationToken ct, TimeSpan? retryFor = null) =>
        CallAsync(what, async c => { await op(c); return true; }, log, ct, retryFor);
}
