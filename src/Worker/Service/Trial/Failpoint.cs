namespace Dggrn.Worker.Service.Trial;

/// <summary>
/// Named places where a fault-injection test can freeze a trial process, to kill its worker at exactly that moment.
/// Armed only by the environment variable DGGRN_FAILPOINT=NAME[:EPOCH]; without it every call is a no-op.
/// </summary>
/// <remarks>REVIEW: a test hook in product code, kept to one call per point; a frozen trial still ends by the hung-trial timeout.</remarks>
public static class Failpoint
{
    /// <summary>After a checkpoint's object is written and verified, before it is recorded with the orchestrator.</summary>
    public const string AfterCheckpointPut = "after-checkpoint-put";

    /// <summary>An epoch's evaluation is computed but not yet reported (its metrics, images and checkpoint are still to come).</summary>
    public const string InEvaluation = "in-evaluation";

    /// <summary>A training step's loss is reported; armed as "at-step:GLOBALSTEP" (the number is a step, not an epoch). Frozen
    /// there until the trial is asked to stop (cancel or drain), which then takes effect at the next step.</summary>
    public const string AtStep = "at-step";

    static readonly string? Armed = Environment.GetEnvironmentVariable("DGGRN_FAILPOINT");

    /// <summary>Freezes this thread when <paramref name="name"/> (at <paramref name="at"/>, an epoch or for
    /// <see cref="AtStep"/> a global step, if the setting names one) is armed: until <paramref name="until"/> fires, or forever.</summary>
    public static void Hit(string name, long at, CancellationToken until = default)
    {
        if (Armed is null) return;
        var parts = Armed.Split(':');
        if (parts[0] != name || (parts.Length > 1 && parts[1] != at.ToString(System.Globalization.CultureInfo.InvariantCulture))) return;
        TrialOutput.Log($"failpoint {name} reached at {(name == AtStep ? "step" : "epoch")} {at}: frozen");
        if (until.CanBeCanceled) until.WaitHandle.WaitOne();
        else Thread.Sleep(Timeout.Infinite);
    }
}
