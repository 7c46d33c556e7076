namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>Per-axis test evaluation of a trial at an epoch, with per-slice values for paired tests.</summary>
public sealed class EvaluationEntity
{
    public long Id { get; set; }
    public Guid TrialId { get; set; }
    public int Epoch { get; set; }
    /// <summary>0, 1, 2, or -1 for all axes pooled.</summary>
    public int Axis { get; set; }
    public int Slices { get; set; }
    public double Psnr { get; set; }
    public double Ssim { get; set; }
    public double[] PerSlicePsnr { get; set; } = [];
    public double[] PerSliceSsim { get; set; } = [];
}
