using System.Text.Json;

namespace Dggrn.Worker.Service.Trial;

/// <summary>The child's side of the stdout protocol (<see cref="TrialSignal"/>); thread-safe.</summary>
public static class TrialOutput
{
    static readonly object Gate = new();

    /// <summary>Reports progress (also the hung-trial detector's heartbeat).</summary>
    public static void Progress(int epoch, long step) => Write(new TrialSignal("progress", epoch, step));

    /// <summary>Reports how the trial ended; the worker reports a death itself when this never comes.</summary>
    public static void Done(string outcome, string? message = null) => Write(new TrialSignal("done", Outcome: outcome, Message: message));

    /// <summary>The trial's work is over; its last report follows.</summary>
    public static void Ending() => Write(new TrialSignal("ending"));

    /// <summary>A lifecycle report for the worker's outbox; the worker answers with "@ack" on stdin.</summary>
    public static void Report(long seq, Contracts.Api.WorkerReport report) => Write(new TrialSignal("report", Seq: seq, Report: report));

    /// <summary>A log line (plain stdout; counts as a sign of life).</summary>
    public static void Log(string line)
    {
        lock (Gate) Console.Out.WriteLine(line.StartsWith(TrialSignal.Prefix, StringComparison.Ordinal) ? " " + line : line);
    }

    static void Write(TrialSignal s)
    {
        lock (Gate)
        {
            Console.Out.WriteLine(TrialSignal.Prefix + JsonSerializer.Serialize(s, OrchestratorClient.Json));
            Console.Out.Flush();
        }
    }
}
