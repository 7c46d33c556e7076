namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>An example image / feature map (PNG) in the checkpoint store.</summary>
public sealed class ArtifactEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public int Epoch { get; set; }
    /// <summary>"lr", "bicubic", "sr", "hr", "error", "gm".</summary>
    public required string Kind { get; set; }
    public int Axis { get; set; }
    public int Slice { get; set; }
    public required string Key { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
