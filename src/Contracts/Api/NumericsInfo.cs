namespace Dggrn.Contracts.Api;

/// <summary>A numerics self-check as workers report it: float32 convolutions of the real networks compared with float64 on the
/// same weights, at the thread count training uses, and the convolution path chosen (docs/decisions.md, "Correct convolutions
/// on every CPU").</summary>
/// <param name="Passed">A path agreed with float64 within <paramref name="Tolerance"/>; false: the worker takes no trials.</param>
/// <param name="Path">"channels-last", "blocked" or "reference"; null when none passed.</param>
/// <param name="Threads">Torch threads the check (and training) used.</param>
/// <param name="Device">"cpu" or "cuda:N".</param>
/// <param name="MaxRelativeError">Largest relative error of the chosen path (the smallest path's when none passed); may be
/// Infinity (a NaN or Inf result).</param>
/// <param name="Tolerance">The bound.</param>
/// <param name="CpuModel">CPU model name.</param>
/// <param name="CpuVendor">CPU vendor id.</param>
/// <param name="CpuFamily">CPU family (26 = AMD Zen 5).</param>
/// <param name="CpuModelNumber">CPU model number.</param>
/// <param name="Libtorch">libtorch version.</param>
/// <param name="TorchSharp">TorchSharp version.</param>
/// <param name="OneDnn">oneDNN version line.</param>
/// <param name="Isa">Instruction set ATen dispatches to (AVX512, AVX2, ...).</param>
/// <param name="OneDnnKernels">oneDNN convolution implementations the chosen path ran ("jit:avx512_core backward_data").</param>
/// <param name="Tried">Every path measured, in order.</param>
/// <param name="Probes">Networks checked ("dggrn N=1 K=8 x3").</param>
/// <param name="Reason">Why no path passed (one line), else null.</param>
/// <param name="Seconds">Time the check took.</param>
/// <param name="CheckedAt">When it ran.</param>
public sealed record NumericsInfo(bool Passed, string? Path, int Threads, string Device, double MaxRelativeError, double Tolerance,
    string CpuModel, string? CpuVendor, int? CpuFamily, int? CpuModelNumber, string Libtorch, string TorchSharp, string? OneDnn, string? Isa,
    string[] OneDnnKernels, NumericsPathResult[] Tried, string[] Probes, string? Reason, double Seconds, DateTimeOffset CheckedAt);

/// <summary>One convolution path's result within a <see cref="NumericsInfo"/>.</summary>
public sealed record NumericsPathResult(string Path, double MaxRelativeError, string Worst, bool Passed, double Seconds);
