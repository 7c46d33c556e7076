using System.Threading.Channels;
using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service.Trial;

/// <summary>Echoes trial log lines to stdout and forwards them, batched, to POST /api/trials/{id}/log (best effort).</summary>
public sealed class LogForwarder : IAsyncDisposable
{
    readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
    readonly Task _pump;

    /// <summary>Starts forwarding for one lease.</summary>
    public LogForwarder(OrchestratorClient client, Guid trialId, Guid leaseId)
    {
        _pump = Task.Run(async () =>
        {
            var batch = new List<string>();
            while (await _lines.Reader.WaitToReadAsync())
            {
                while (batch.Count < 200 && _lines.Reader.TryRead(out var l)) batch.Add(l);
                try
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await client.LogAsync(trialId, new TrialLogRequest(leaseId, [.. batch]), cts.Token);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The dashboard's log tail is a convenience; the lines are in the worker's own log already.
                }
                batch.Clear();
            }
        });
    }

    /// <summary>Logs one line.</summary>
    public void Write(string line)
    {
        var stamped = $"{DateTimeOffset.UtcNow:HH:mm:ss} {line}";
        TrialOutput.Log(stamped);
        _lines.Writer.TryWrite(stamped);
    }

    /// <summary>Sends what is queued (bounded wait) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await Task.WhenAny(_pump, Task.Delay(TimeSpan.FromSeconds(5)));
    }
}
