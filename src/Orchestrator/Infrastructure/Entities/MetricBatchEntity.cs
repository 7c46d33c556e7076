namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>Idempotency record of an ingested metric batch.</summary>
public sealed class MetricBatchEntity
{
    public required string WorkerId { get; set; }
    public Guid TrialId { get; set; }
    public int Attempt { get; set; }
    public long Sequence { get; set; }
    public int Points { get; set; }
    public DateTimeOffset At { get; set; }
}
