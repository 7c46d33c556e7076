namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>Log lines of a trial for the dashboard's log tail.</summary>
public sealed class TrialLogEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public int Attempt { get; set; }
    public required string Line { get; set; }
    public DateTimeOffset At { get; set; }
}
