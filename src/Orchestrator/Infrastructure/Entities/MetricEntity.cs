namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>One metric point of one trial attempt. Unique on (trial, name, step): a resumed attempt overwrites.</summary>
public sealed class MetricEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public int Attempt { get; set; }
    public required string Name { get; set; }
    public long Step { get; set; }
    public int Epoch { get; set; }
    public double Value { get; set; }
    public DateTimeOffset At { get; set; }
}
