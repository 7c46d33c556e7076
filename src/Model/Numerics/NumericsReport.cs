namespace Dggrn.Model.Numerics;

/// <summary>One convolution path measured against float64 on a set of probes.</summary>
/// <param name="Path">The path measured.</param>
/// <param name="MaxRelativeError">Largest relative error over every probe and compared quantity (+inf for NaN or Inf).</param>
/// <param name="Worst">Where that error was ("dggrn N=1 K=8 x3: gradient of gm.layers.3.weight").</param>
/// <param name="Passed">Whether every error was within the tolerance.</param>
/// <param name="Seconds">Time the measurement took.</param>
public sealed record PathMeasurement(ConvPath Path, double MaxRelativeError, string Worst, bool Passed, double Seconds);

/// <summary>Outcome of a numerics self-check: the path chosen (the fastest that agreed with float64), or why none was.</summary>
/// <param name="Passed">A path agreed with float64 within <see cref="Tolerance"/>; the process now uses it.</param>
/// <param name="Path">The chosen path, or null when none passed.</param>
/// <param name="Threads">Torch intra-op threads the check ran with (the count training will use).</param>
/// <param name="Device">Device checked ("cpu", "cuda:0").</param>
/// <param name="MaxRelativeError">The chosen path's largest error, or the smallest of all paths' when none passed.</param>
/// <param name="Tolerance">The bound every error had to meet.</param>
/// <param name="Probes">The networks checked.</param>
/// <param name="Tried">Every path measured, in the order tried.</param>
/// <param name="OneDnnKernels">oneDNN convolution implementations the chosen path ran ("jit:avx512_core backward_data"), if
/// oneDNN reported them.</param>
/// <param name="Platform">CPU and library versions.</param>
/// <param name="Reason">One line saying why no path passed; null when one did.</param>
/// <param name="Seconds">Time the whole check took.</param>
public sealed record NumericsReport(bool Passed, ConvPath? Path, int Threads, string Device, double MaxRelativeError, double Tolerance,
    IReadOnlyList<NumericsProbe> Probes, IReadOnlyList<PathMeasurement> Tried, IReadOnlyList<string> OneDnnKernels, PlatformFacts Platform,
    string? Reason, double Seconds)
{
    /// <summary>One line for logs.</summary>
    public string Summary => Passed
        ? $"numerics: {Path!.Value.Name()} convolutions agree with float64 (max relative error {MaxRelativeError:0.0e+0} <= {Tolerance:0e+0}) at {Threads} thread(s) on {Platform.Summary}"
        : Reason!;
}
