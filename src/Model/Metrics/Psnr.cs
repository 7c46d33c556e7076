using Dggrn.Model.Pipeline;

namespace Dggrn.Model.Metrics;

/// <summary>dggrn-v1 step 7: PSNR = 10 log10(1 / MSE) over the whole slice, data range 1.</summary>
public static class Psnr
{
    /// <summary>PSNR in dB of <paramref name="x"/> against the reference <paramref name="reference"/>; +inf when identical.</summary>
    public static double Compute(Image2D x, Image2D reference)
    {
        SameShape(x, reference);
        double sse = 0;
        for (int n = 0; n < x.Data.Length; n++) { double d = x.Data[n] - reference.Data[n]; sse += d * d; }
        return 10 * Math.Log10(1 / (sse / x.Data.Length));
    }

    internal static void SameShape(Image2D a, Image2D b)
    {
        if (a.Height != b.Height || a.Width != b.Width)
            throw new ArgumentException($"image sizes differ: {a.Height}x{a.Width} vs {b.Height}x{b.Width}");
    }
}
