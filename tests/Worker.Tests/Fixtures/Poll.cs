namespace Dggrn.Worker.Tests.Fixtures;

/// <summary>Waits for a condition by polling with a deadline; never sleeps as synchronisation.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<T, string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var last = await probe();
            if (done(last)) return last;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {timeout.TotalSeconds:0} s; {describe(last)}");
            await Task.Delay(100);
        }
    }
}
