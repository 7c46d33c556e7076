using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dggrn.Model.Numerics;

/// <summary>The process's convolution path and the one call every network makes for a convolution.</summary>
/// <remarks>Process-wide, like torch's thread count: libtorch's oneDNN switch is global. Models call <see cref="Conv"/> for
/// every convolution so that the chosen path applies to all of them; a conv called directly escapes it, and the model
/// checks in tests (float32 against float64 on the real networks) would catch it on a CPU where that matters.</remarks>
public static class ConvKernels
{
    static volatile int current = (int)ConvPath.ChannelsLast;

    /// <summary>The path in use (channels-last until a check chooses otherwise).</summary>
    public static ConvPath Current => (ConvPath)current;

    /// <summary>Switches the process to <paramref name="path"/> (oneDNN on for the first two paths, off for the reference).</summary>
    public static void Use(ConvPath path)
    {
        LibTorchNative.DisableNnpack();
        if (!LibTorchNative.SetMkldnnEnabled(path != ConvPath.Reference) && path == ConvPath.Reference)
            throw new NotSupportedException("convolution path reference: this libtorch exports no switch for oneDNN (at::Context::setUserEnabledMkldnn)");
        current = (int)path;
    }

    /// <summary>Runs <paramref name="conv"/> on <paramref name="x"/> in the current path's layout.</summary>
    /// <remarks>The result is a new tensor in the caller's dispose scope; on the channels-last path it has NHWC strides too,
    /// which every later element-wise op keeps, so the conversion costs a copy only where the layout really changes (the
    /// network input, a concatenation, a pixel shuffle).</remarks>
    public static Tensor Conv(this Conv2d conv, Tensor x) => conv.forward(Prepare(x));

    /// <summary>The layout the current path wants at a convolution's input.</summary>
    public static Tensor Prepare(Tensor x) => Current == ConvPath.ChannelsLast && x.dim() == 4 ? ChannelsLast(x) : x;

    /// <summary>The same values with NHWC strides (TorchSharp 0.107 has no memory-format argument; a permuted contiguous copy
    /// permuted back is exactly such a tensor, and no copy at all when <paramref name="x"/> already has those strides).</summary>
    public static Tensor ChannelsLast(Tensor x)
    {
        using var nhwc = x.permute(0, 2, 3, 1);
        using var packed = nhwc.contiguous();
        return packed.permute(0, 3, 1, 2);
    }
}
