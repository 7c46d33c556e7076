using Dggrn.Model.Pipeline;

namespace Dggrn.Model.Classical;

/// <summary>The dggrn-v1 degradation D (3x3 Gaussian, edges replicated, then keep every s-th pixel) as a linear
/// operator on flat arrays, with its exact adjoint; the data term of both classical methods.</summary>
public sealed class DegradationOperator
{
    readonly double[] taps = Degradation.GaussianTaps();

    /// <summary>An operator for HR images of <paramref name="height"/> x <paramref name="width"/> (multiples of <paramref name="scale"/>).</summary>
    public DegradationOperator(int height, int width, int scale)
    {
        if (scale < 1) throw new ArgumentException($"scale: expected at least 1, found {scale}");
        if (height % scale != 0 || width % scale != 0)
            throw new ArgumentException($"HR size: expected multiples of the scale {scale} (modcropped), found {height}x{width}");
        (Height, Width, Scale) = (height, width, scale);
    }

    /// <summary>HR rows.</summary>
    public int Height { get; }
    /// <summary>HR columns.</summary>
    public int Width { get; }
    /// <summary>Upscaling factor s.</summary>
    public int Scale { get; }
    /// <summary>LR rows.</summary>
    public int LrHeight => Height / Scale;
    /// <summary>LR columns.</summary>
    public int LrWidth => Width / Scale;

    /// <summary>D x: the blurred HR value at every sampled pixel (r*s, c*s); only the sampled pixels are blurred.</summary>
    public double[] Apply(double[] hr)
    {
        int h = Height, w = Width, s = Scale, lw = LrWidth;
        var lr = new double[LrHeight * lw];
        for (int r = 0; r < LrHeight; r++)
        for (int c = 0; c < lw; c++)
        {
            int R = r * s, C = c * s;
            double acc = 0;
            for (int dr = -1; dr <= 1; dr++)
            {
                int rr = Math.Clamp(R + dr, 0, h - 1);
                for (int dc = -1; dc <= 1; dc++)
                    acc += taps[dr + 1] * taps[dc + 1] * hr[rr * w + Math.Clamp(C + dc, 0, w - 1)];
            }
            lr[r * lw + c] = acc;
        }
        return lr;
    }

    /// <summary>D^T y: every LR value scattered back with the kernel's weights onto the (clamped) pixels it was read from.</summary>
    public double[] Adjoint(double[] lr)
    {
        int h = Height, w = Width, s = Scale, lw = LrWidth;
        var hr = new double[h * w];
        for (int r = 0; r < LrHeight; r++)
        for (int c = 0; c < lw; c++)
        {
            double v = lr[r * lw + c];
            if (v == 0) continue;
            int R = r * s, C = c * s;
            for (int dr = -1; dr <= 1; dr++)
            {
                int rr = Math.Clamp(R + dr, 0, h - 1);
                for (int dc = -1; dc <= 1; dc++)
                    hr[rr * w + Math.Clamp(C + dc, 0, w - 1)] += taps[dr + 1] * taps[dc + 1] * v;
            }
        }
        return hr;
    }
}
