using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>A submitted grid.</summary>
public sealed class ExperimentEntity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public string Owner { get; set; } = "";
    /// <summary>The spec document as submitted (YAML or JSON text).</summary>
    public string SpecText { get; set; } = "";
    public string Protocol { get; set; } = "dggrn-v1";
    public int Priority { get; set; }
    public ExperimentState State { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public List<TrialEntity> Trials { get; set; } = [];
}
