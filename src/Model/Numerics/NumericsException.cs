namespace Dggrn.Model.Numerics;

/// <summary>No convolution path agreed with float64 on this machine: training here would learn from wrong numbers.</summary>
/// <remarks>Not the trial's fault: another machine may compute it correctly, so workers report it as retryable.</remarks>
public sealed class NumericsException(NumericsReport report) : Exception(report.Reason)
{
    /// <summary>The failed check.</summary>
    public NumericsReport Report { get; } = report;
}
