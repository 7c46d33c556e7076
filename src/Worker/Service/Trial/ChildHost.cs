using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service.Trial;

/// <summary>The trial process's side of its pipe to the worker: progress, log lines and reports on stdout; the worker's acks
/// (and its cancel and drain commands) on stdin.</summary>
public sealed class ChildHost : ITrialHost
{
    readonly ConcurrentDictionary<long, TaskCompletionSource<TrialAck>> _waiting = new();
    long _seq;

    /// <inheritdoc/>
    public void Progress(int epoch, long step) => TrialOutput.Progress(epoch, step);

    /// <inheritdoc/>
    public void Log(string line) => TrialOutput.Log($"{DateTimeOffset.UtcNow:HH:mm:ss} {line}");

    /// <inheritdoc/>
    public void Ending() => TrialOutput.Ending();

    /// <inheritdoc/>
    public void Done(string outcome, string? message = null) => TrialOutput.Done(outcome, message);

    /// <inheritdoc/>
    public async Task SendAsync(WorkerReport report, CancellationToken ct)
    {
        var seq = Interlocked.Increment(ref _seq);
        var ack = new TaskCompletionSource<TrialAck>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[seq] = ack;
        try
        {
            TrialOutput.Report(seq, report);
            var a = await ack.Task.WaitAsync(ct);
            if (a.Status != (int)HttpStatusCode.OK)
                throw new OrchestratorException((HttpStatusCode)a.Status, $"{report.Kind} report of trial {report.TrialId}: {a.Status}: {a.Error}");
        }
        finally { _waiting.TryRemove(seq, out _); }
    }

    /// <summary>Takes an "@ack" line from stdin; false for any other line.</summary>
    public bool TryAck(string line)
    {
        if (!line.StartsWith(TrialAck.Prefix, StringComparison.Ordinal)) return false;
        try
        {
            if (JsonSerializer.Deserialize<TrialAck>(line.AsSpan(TrialAck.Prefix.Length), OrchestratorClient.Json) is { } a && _waiting.TryGetValue(a.Seq, out var waiting))
                waiting.TrySetResult(a);
        }
        catch (JsonException) { }
        return true;
    }
}
