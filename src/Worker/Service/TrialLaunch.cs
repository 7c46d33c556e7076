using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service;

/// <summary>What the worker hands a trial child process (as a JSON file; secrets travel in the environment, not here).</summary>
public sealed record TrialLaunch(string WorkerId, LeaseGrant Grant, string Device, int Threads, string JournalPath);

/// <summary>One line of the child-to-worker protocol on the child's stdout: "@dggrn {json}".</summary>
/// <remarks>Kinds: "progress" (Epoch, Step), "ending" (the work is over, the last report follows), "done" (Outcome:
/// succeeded|failed|cancelled|released|lost), "report" (Seq, Report:
/// a lifecycle report for the worker's outbox, answered by a <see cref="TrialAck"/> line on the child's stdin).</remarks>
public sealed record TrialSignal(string Kind, int Epoch = 0, long Step = 0, string? Outcome = null, string? Message = null, long Seq = 0,
    WorkerReport? Report = null)
{
    /// <summary>Prefix of protocol lines; everything else on stdout/stderr is log text.</summary>
    public const string Prefix = "@dggrn ";

    /// <summary>Commands the worker writes to the child's stdin, one per line.</summary>
    public const string CancelCommand = "cancel", DrainCommand = "drain";
}

/// <summary>The worker's answer to a child's report ("@ack {json}" on the child's stdin): the orchestrator's status for it.</summary>
public sealed record TrialAck(long Seq, int Status, string? Error)
{
    /// <summary>Prefix of ack lines.</summary>
    public const string Prefix = "@ack ";
}
