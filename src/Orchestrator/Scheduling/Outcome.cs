namespace Dggrn.Orchestrator.Scheduling;

/// <summary>What happened to an operation on a trial. The HTTP layer alone turns it into a status code.</summary>
public enum OutcomeKind
{
    /// <summary>Applied, or an exact retry of something already applied.</summary>
    Ok,
    /// <summary>No such trial (or worker).</summary>
    NotFound,
    /// <summary>The lease named is not the trial's live lease, or the trial is not in a state the report applies to.</summary>
    NotLive,
    /// <summary>The lease belongs to another worker than the one reporting.</summary>
    NotHolder,
}

/// <summary>The outcome of an operation on a trial, with a one-line reason unless it is <see cref="OutcomeKind.Ok"/>.</summary>
[GenerateSerializer, Immutable, Alias("dggrn.Outcome")]
public sealed record Outcome([property: Id(0)] OutcomeKind Kind, [property: Id(1)] string? Error)
{
    /// <summary>Success.</summary>
    public static readonly Outcome Ok = new(OutcomeKind.Ok, null);
    /// <summary>No such trial.</summary>
    public static Outcome NotFound(string why) => new(OutcomeKind.NotFound, why);
    /// <summary>A stale lease or a wrong state.</summary>
    public static Outcome NotLive(string why) => new(OutcomeKind.NotLive, why);
    /// <summary>Another worker's lease.</summary>
    public static Outcome NotHolder(string why) => new(OutcomeKind.NotHolder, why);
    /// <summary>True for success.</summary>
    public bool IsOk => Kind == OutcomeKind.Ok;
}
