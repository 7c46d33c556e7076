namespace Dggrn.Orchestrator.Tests;

/// <summary>Waits for a condition by polling with a deadline (never sleeps as synchronisation).</summary>
public static class Polling
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (done(last)) return last;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds:0.#} s; last value: {last}");
            await Task.Yield();
            await Task.Delay(50);
        }
    }
}
