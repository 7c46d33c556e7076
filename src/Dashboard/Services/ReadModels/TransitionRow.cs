using Dggrn.Contracts.Trials;

namespace Dggrn.Dashboard.Services.ReadModels;

/// <summary>One state change of a trial, for its state history and a worker's recent failures.</summary>
public sealed record TransitionRow(Guid TrialId, DateTimeOffset At, TrialState? FromState, TrialState ToState, int Attempt, string? WorkerId,
    string Reason);
