using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>Every state change of a trial, with its reason.</summary>
public sealed class TrialTransitionEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public TrialState? FromState { get; set; }
    public TrialState ToState { get; set; }
    public required string Reason { get; set; }
    public string? WorkerId { get; set; }
    public int Attempt { get; set; }
    public DateTimeOffset At { get; set; }
}
