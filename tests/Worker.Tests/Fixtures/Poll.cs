using System.Net;

namespace Dggrn.Worker.Tests.Fixtures;

/// <summary>Waits for a condition by polling with a deadline; never sleeps as synchronisation.</summary>
public static class Poll
{
    /// <remarks>
    /// A 503 from the orchestrator counts as "not yet": it is the API's answer while PostgreSQL is unreachable, including
    /// the first queries on pooled connections that a database restart broke. Any other failure ends the wait at once.
    /// </remarks>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<T, string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            T last;
            try { last = await probe(); }
            catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow <= deadline)
            {
                await Task.Delay(100);
                continue;
            }
            if (done(last)) return last;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {timeout.TotalSeconds:0} s; {describe(last)}");
            await Task.Delay(100);
        }
    }
}
