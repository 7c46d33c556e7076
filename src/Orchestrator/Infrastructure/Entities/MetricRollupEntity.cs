namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>
/// One bucket of one metric series at one zoom level: how many points it holds and which of them come first and last and
/// hold the minimum and the maximum (each with its step). Maintained by PostgreSQL itself as metric rows arrive (statement
/// triggers on <c>metrics</c>, migration MetricRollups), read through <see cref="Queries.MetricCurves"/>, never written by the application.
/// </summary>
/// <remarks>Level L groups the steps by <c>step &gt;&gt; (4 + 2L)</c>: buckets of 16, 64, 256, ... 4,194,304 steps.</remarks>
public sealed class MetricRollupEntity
{
    public Guid TrialId { get; set; }
    public required string Name { get; set; }
    public short Level { get; set; }
    public long Bucket { get; set; }
    /// <summary>Points in the bucket.</summary>
    public int N { get; set; }
    public long FirstStep { get; set; }
    public double FirstValue { get; set; }
    public long LastStep { get; set; }
    public double LastValue { get; set; }
    /// <summary>Step of the smallest value (the earliest when several are equal).</summary>
    public long MinStep { get; set; }
    public double MinValue { get; set; }
    /// <summary>Step of the largest value (the earliest when several are equal).</summary>
    public long MaxStep { get; set; }
    public double MaxValue { get; set; }
}
