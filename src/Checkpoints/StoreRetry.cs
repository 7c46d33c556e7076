using System.Net.Sockets;

namespace Dggrn.Checkpoints;

/// <summary>Retries a whole store operation with exponential backoff while the failure looks transient.</summary>
/// <remarks>
/// Whole operations are retried (not single HTTP requests inside the SDK) because the Minio 7.0.0 retry
/// policy corrupts multipart URLs on retry (STACK.md).
/// </remarks>
public static class StoreRetry
{
    /// <summary>Runs <paramref name="op"/> until it succeeds, fails permanently, or <paramref name="retryFor"/> has passed.</summary>
    public static async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> op, TimeSpan retryFor,
        Func<Exception, bool> isTransient, CancellationToken ct, Action<string>? log = null)
    {
        var deadline = DateTimeOffset.UtcNow + retryFor;
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await op(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && isTransient(e) && DateTimeOffset.UtcNow + delay < deadline)
            {
                log?.Invoke($"{what}: attempt {attempt} failed ({e.GetType().Name}: {FirstLine(e.Message)}); retrying in {delay.TotalSeconds:0.0} s");
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    /// <summary>Network-level failures: refused or reset connections, timeouts, I/O errors.</summary>
    public static bool IsNetworkFailure(Exception e) => e switch
    {
        HttpRequestException or SocketException or TimeoutException or IOException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => e.InnerException is { } inner && IsNetworkFailure(inner),
    };

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
