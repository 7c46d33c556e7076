namespace Dggrn.Contracts.Trials;

/// <summary>Evaluation of one method on test volumes under a protocol (the JSON `./dggrn eval` prints).</summary>
public sealed record EvalResult
{
    public string Method { get; init; } = "";
    public string Volume { get; init; } = "";
    public int Scale { get; init; }
    public string Protocol { get; init; } = "dggrn-v1";
    /// <summary>Per axis ("0", "1", "2").</summary>
    public Dictionary<string, AxisResult> Axes { get; init; } = new();
    /// <summary>All axes' kept slices pooled.</summary>
    public AxisResult Overall { get; init; } = new();
}

/// <summary>Means over kept slices, with the per-slice values (used for paired significance tests).</summary>
public sealed record AxisResult
{
    public int Slices { get; init; }
    public double Psnr { get; init; }
    public double Ssim { get; init; }
    public double[]? PerSlicePsnr { get; init; }
    public double[]? PerSliceSsim { get; init; }
}
