namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>A verified checkpoint object in the checkpoint store.</summary>
public sealed class CheckpointEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public int Attempt { get; set; }
    public int Epoch { get; set; }
    public long Step { get; set; }
    public required string Key { get; set; }
    public required string Sha256 { get; set; }
    public long SizeBytes { get; set; }
    public double? TestPsnr { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Set when retention handed the key to the worker for deletion; the record is forgotten at the next record call.</summary>
    public DateTimeOffset? RetiredAt { get; set; }
}
