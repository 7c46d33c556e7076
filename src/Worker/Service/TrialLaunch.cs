using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service;

/// <summary>What the worker hands a trial child process (as a JSON file; secrets travel in the environment, not here).</summary>
public sealed record TrialLaunch(string WorkerId, LeaseGrant Grant, string Device, int Threads, string JournalPath);

/// <summary>One line of the child-to-worker protocol on the child's stdout: "@dggrn {json}".</summary>
/// <remarks>Kinds: "progress" (Epoch, Step), "done" (Outcome: succeeded|failed|cancelled|released|lost), "note" (Message).</remarks>
public sealed record TrialSignal(string Kind, int Epoch = 0, long Step = 0, string? Outcome = null, string? Message = null)
{
    /// <summary>Prefix of protocol lines; everything else on stdout/stderr is log text.</summary>
    public const string Prefix = "@dggrn ";

    /// <summary>Commands the worker writes to the child's stdin, one per line.</summary>
    public const string CancelCommand = "cancel", DrainCommand = "drain";
}
