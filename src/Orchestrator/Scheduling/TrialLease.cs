using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>A trial's lease as PostgreSQL records it: state, live lease, its holder (or the last one), attempt, expiry.</summary>
[GenerateSerializer, Immutable, Alias("dggrn.TrialLease")]
public sealed record TrialLease(
    [property: Id(0)] TrialState State,
    [property: Id(1)] Guid? LeaseId,
    [property: Id(2)] string? WorkerId,
    [property: Id(3)] int Attempt,
    [property: Id(4)] DateTimeOffset? ExpiresAt);
