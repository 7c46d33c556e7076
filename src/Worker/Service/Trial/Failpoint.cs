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

    static readonly string? Armed = Environment.GetEnvironmentVariable("DGGRN_FAILPOINT");

    /// <summary>Freezes this thread forever when <paramref name="name"/> (at <paramref name="epoch"/>, if the setting names one) is armed.</summary>
    public static void Hit(string name, int epoch)
    {
        if (Armed is null) return;
        var parts = Armed.Split(':');
        if (parts[0] != name || (parts.Length > 1 && parts[1] != epoch.ToString(System.Globalization.CultureInfo.InvariantCulture))) return;
        TrialOutput.Log($"failpoint {name} reached at epoch {epoch}: frozen");
        Thread.Sleep(Timeout.Infinite);
    }
}
