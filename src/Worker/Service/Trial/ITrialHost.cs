using Dggrn.Worker.Service.Reports;

namespace Dggrn.Worker.Service.Trial;

/// <summary>How a running trial talks to the worker that runs it: progress (the hung-trial detector's heartbeat), log lines
/// (the worker's log and the dashboard's log tail), its end, and its lifecycle reports (through the worker's outbox).</summary>
/// <remarks>Two hosts: a trial process speaks through its stdout and stdin (<see cref="ChildHost"/>); a trial that needs no
/// isolation runs inside the worker and speaks to it directly (<see cref="InlineTrial"/>). The trial's code is the same.</remarks>
public interface ITrialHost : ITrialReports
{
    /// <summary>The trial is at <paramref name="epoch"/>, <paramref name="step"/>.</summary>
    void Progress(int epoch, long step);
    /// <summary>A log line.</summary>
    void Log(string line);
    /// <summary>The trial's work is over and its last report is about to go: its slot may take the next trial (whose lease
    /// can then ride in the same batch as this report).</summary>
    void Ending();
    /// <summary>How the trial ended: succeeded, failed, cancelled, released or lost.</summary>
    void Done(string outcome, string? message = null);
}
