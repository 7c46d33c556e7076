namespace Dggrn.Deploy.Tests.Cluster;

/// <summary>Polls a condition until it holds or a deadline passes (no fixed sleeps as synchronisation).</summary>
public static class Poll
{
    /// <summary>Returns the first non-null result of <paramref name="probe"/>; throws naming <paramref name="what"/> at the deadline.</summary>
    public static async Task<T> UntilAsync<T>(string what, TimeSpan timeout, Func<Task<T?>> probe, Func<string>? diagnostics = null) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } result) return result;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds:0} s{(diagnostics is null ? "" : "\n" + diagnostics())}");
            await Task.Delay(250);   // poll interval, not synchronisation
        }
    }

    /// <summary>Waits for GET url to answer 200.</summary>
    public static async Task HealthyAsync(string name, string url, TimeSpan timeout, Func<string> diagnostics, ServiceProcess? process = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await UntilAsync($"{name} healthy at {url}", timeout, async () =>
        {
            if (process is { HasExited: true }) throw new InvalidOperationException($"{name} exited during start-up\n{diagnostics()}");
            try { return (await http.GetAsync(url)).IsSuccessStatusCode ? "ok" : null; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
        }, diagnostics);
    }

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
