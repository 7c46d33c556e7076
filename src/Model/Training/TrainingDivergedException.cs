namespace Dggrn.Model.Training;

/// <summary>Training produced a non-finite loss or test metric: nothing after that point is worth keeping.</summary>
/// <remarks>Thrown before the optimiser applies the step (or before the epoch's checkpoint), so the last checkpoint written is
/// the last good one. The same configuration diverges again on a retry, so workers report it as permanent.</remarks>
public sealed class TrainingDivergedException(int epoch, long step, string quantity, double value)
    : Exception($"diverged at epoch {epoch}, step {step}: {quantity} {Format(value)}")
{
    /// <summary>Epoch (1-based) in which it happened.</summary>
    public int Epoch { get; } = epoch;
    /// <summary>Global optimiser step at which it happened.</summary>
    public long Step { get; } = step;
    /// <summary>"loss" or the metric ("test PSNR").</summary>
    public string Quantity { get; } = quantity;

    static string Format(double v) => double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
}
