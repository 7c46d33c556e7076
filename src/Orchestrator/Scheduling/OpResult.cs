namespace Dggrn.Orchestrator.Scheduling;

/// <summary>Outcome of a trial operation: OK, or an HTTP status with a one-line reason.</summary>
[GenerateSerializer, Immutable, Alias("dggrn.OpResult")]
public sealed record OpResult([property: Id(0)] int Status, [property: Id(1)] string? Error)
{
    /// <summary>Success.</summary>
    public static readonly OpResult Ok = new(200, null);
    /// <summary>404 with a reason.</summary>
    public static OpResult NotFound(string why) => new(404, why);
    /// <summary>409 with a reason (stale lease, wrong state).</summary>
    public static OpResult Conflict(string why) => new(409, why);
    /// <summary>True for success.</summary>
    public bool IsOk => Status == 200;
}
