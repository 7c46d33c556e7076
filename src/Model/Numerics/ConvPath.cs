namespace Dggrn.Model.Numerics;

/// <summary>How the process runs its float32 convolutions on the CPU. Every path computes the same function; they differ in
/// the memory layout libtorch hands to oneDNN and hence in which kernels run. Which one is right depends on the CPU and the
/// libtorch build (docs/decisions.md, "Correct convolutions on every CPU"), so a process picks one with
/// <see cref="NumericsCheck"/> rather than assuming it.</summary>
public enum ConvPath
{
    /// <summary>Every convolution input in NHWC strides: oneDNN runs its nhwc kernels and never pads a channel block.
    /// The fastest path measured, and right on every CPU tried.</summary>
    ChannelsLast,
    /// <summary>libtorch's default: NCHW inputs, which oneDNN reorders into 16- (or 8-) channel blocks. Wrong on AMD Zen 5 under
    /// libtorch 2.10 whenever a channel count is not a multiple of the block.</summary>
    Blocked,
    /// <summary>oneDNN switched off: ATen's own im2col + GEMM convolutions. Correct where the others are not, about 4x slower.</summary>
    Reference,
}

/// <summary>Names of <see cref="ConvPath"/> as the CLI, the API and the dashboard print them.</summary>
public static class ConvPaths
{
    /// <summary>Fastest first: the order in which <see cref="NumericsCheck.Select"/> tries them.</summary>
    public static readonly IReadOnlyList<ConvPath> BySpeed = [ConvPath.ChannelsLast, ConvPath.Blocked, ConvPath.Reference];

    /// <summary>"channels-last", "blocked" or "reference".</summary>
    public static string Name(this ConvPath p) => p switch
    {
        ConvPath.ChannelsLast => "channels-last",
        ConvPath.Blocked => "blocked",
        _ => "reference",
    };

    /// <summary>Parses a name printed by <see cref="Name"/>; throws naming the accepted values otherwise.</summary>
    public static ConvPath Parse(string name) =>
        BySpeed.FirstOrDefault(p => p.Name() == name.Trim().ToLowerInvariant(), (ConvPath)(-1)) is var p && p >= 0
            ? p
            : throw new ArgumentException($"convolution path: expected one of {string.Join(", ", BySpeed.Select(Name))}, found '{name}'");
}
