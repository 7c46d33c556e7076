using System.Net;
using System.Net.Sockets;

namespace Dggrn.Deploy.Tests.Cluster;

/// <summary>
/// The one API address clients use, in front of several silos, doing for this test what nginx's upstream with
/// <c>proxy_next_upstream error</c> does in deploy/compose: each new connection goes to the next upstream in turn,
/// and one that refuses the connection is skipped. A connection already open to a silo that dies breaks, as it
/// would behind nginx, and the client's retry takes a new one.
/// </summary>
public sealed class TcpFailoverProxy : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly IReadOnlyList<int> _upstreams;
    readonly CancellationTokenSource _stop = new();
    readonly Task _accepting;
    int _next;

    /// <summary>Starts listening on a free loopback port.</summary>
    public TcpFailoverProxy(IReadOnlyList<int> upstreamPorts)
    {
        _upstreams = upstreamPorts;
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    /// <summary>The address clients use.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = ServeAsync(client);
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var first = Interlocked.Increment(ref _next);
            TcpClient? upstream = null;
            for (var i = 0; i < _upstreams.Count && upstream is null; i++)
            {
                var candidate = new TcpClient();
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(3));
                    await candidate.ConnectAsync(IPAddress.Loopback, _upstreams[(first + i) % _upstreams.Count], timeout.Token);
                    upstream = candidate;
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException) { candidate.Dispose(); }
            }
            if (upstream is null) return;   // every silo down: the client sees a closed connection and retries
            using (upstream)
            {
                var a = client.GetStream();
                var b = upstream.GetStream();
                var up = PumpAsync(a, b);
                var down = PumpAsync(b, a);
                await Task.WhenAny(up, down);
            }
        }
    }

    async Task PumpAsync(Stream from, Stream to)
    {
        try { await from.CopyToAsync(to, 81920, _stop.Token); }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException) { }
        try { to.Close(); } catch (IOException) { }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
