namespace Dggrn.Model.Metrics;

/// <summary>Means over the kept slices of one axis (or all axes pooled), with the per-slice values.</summary>
public sealed record AxisEvaluation(int Slices, double Psnr, double Ssim, double[] PerSlicePsnr, double[] PerSliceSsim)
{
    /// <summary>No slices.</summary>
    public static readonly AxisEvaluation Empty = new(0, 0, 0, [], []);

    /// <summary>Means of the given per-slice values (0 when there are none).</summary>
    public static AxisEvaluation From(double[] psnr, double[] ssim) =>
        new(psnr.Length, psnr.Length == 0 ? 0 : psnr.Average(), ssim.Length == 0 ? 0 : ssim.Average(), psnr, ssim);
}

/// <summary>Evaluation of one method on test volumes under a protocol; the object `eval --json` prints.</summary>
public sealed record Evaluation(string Method, string Volume, int Scale, string Protocol,
    IReadOnlyDictionary<int, AxisEvaluation> Axes, AxisEvaluation Overall)
{
    /// <summary>An evaluation with no slices (the "noop" method).</summary>
    public static Evaluation Empty(string method, string volume, int scale, string protocol) =>
        new(method, volume, scale, protocol, new Dictionary<int, AxisEvaluation>(), AxisEvaluation.Empty);
}
