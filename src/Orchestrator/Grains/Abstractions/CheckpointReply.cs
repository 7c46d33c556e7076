using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Grains.Abstractions;

/// <summary>Outcome of a checkpoint record and, when it applied, the keys retention says to delete (objects first, then records).</summary>
[GenerateSerializer, Immutable, Alias("dggrn.CheckpointReply")]
public sealed record CheckpointReply([property: Id(0)] Outcome Outcome, [property: Id(1)] string[] Delete);
