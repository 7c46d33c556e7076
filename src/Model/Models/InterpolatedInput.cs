using Dggrn.Model.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Dggrn.Model.Models;

/// <summary>The fixed (not trainable) dggrn-v1 bicubic upscaling inside a network: the same Keys kernel, sample positions,
/// weight normalisation and mirror boundary as <see cref="Bicubic.Upscale"/>, rows first, then clipped to [0, 1].</summary>
/// <remarks>Written as two matrix products, Up = clip(R X C^T), where R (sh x h) and C (sw x w) hold the
/// <see cref="Bicubic.Contributions"/> weights. The matrices are not module parameters or buffers, so they never enter a
/// checkpoint; they are built once per (length, device) and kept outside every dispose scope until <see cref="Dispose"/>.</remarks>
public sealed class InterpolatedInput(int scale) : IDisposable
{
    readonly Dictionary<(int Length, string Device), Tensor> cache = [];

    /// <summary>FLOPs per HR pixel counted for the interpolation: two separable 4-tap passes (a multiply and an add per tap).
    /// The dense matrix products that compute it cost more, but next to the convolutions either is negligible.</summary>
    public const double FlopsPerHrPixel = 16;

    /// <summary>Upscaling factor.</summary>
    public int Scale => scale;

    /// <summary>Upscales a batch (B, C, h, w) to (B, C, s*h, s*w) exactly as the bicubic baseline does.</summary>
    public Tensor Upscale(Tensor lr)
    {
        long h = lr.shape[^2], w = lr.shape[^1];
        var rows = Matrix((int)h, lr.device, lr.dtype);
        var cols = Matrix((int)w, lr.device, lr.dtype);
        using var tmp = rows.matmul(lr); // (s*h x h)(h x w): rows first, as MATLAB resizes dimension 1 first
        using var up = tmp.matmul(cols.t());
        return up.clamp(0, 1);
    }

    /// <summary>The (s*n x n) resampling matrix of one axis of length <paramref name="n"/>.</summary>
    Tensor Matrix(int n, Device device, ScalarType dtype)
    {
        var key = (n, device.ToString());
        if (cache.TryGetValue(key, out var m) && m.dtype == dtype) return m;
        if (m is not null) { m.Dispose(); cache.Remove(key); }
        var (idx, wts) = Bicubic.Contributions(n, scale);
        int rows = n * scale;
        var dense = new double[rows * n];
        // A mirrored tap may land on an index another tap already uses: accumulate, do not overwrite.
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < 4; t++) dense[r * n + idx[r * 4 + t]] += wts[r * 4 + t];
        using var cpu = tensor(dense, [rows, n], ScalarType.Float64);
        var built = cpu.to(dtype, device, copy: true).DetachFromDisposeScope();
        cache[key] = built;
        return built;
    }

    /// <summary>Frees the cached matrices.</summary>
    public void Dispose()
    {
        foreach (var m in cache.Values) m.Dispose();
        cache.Clear();
    }
}
