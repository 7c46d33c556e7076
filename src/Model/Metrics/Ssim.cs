using Dggrn.Model.Pipeline;

namespace Dggrn.Model.Metrics;

/// <summary>dggrn-v1 step 7: SSIM (Wang et al. 2004) with an 11x11 Gaussian window (sigma 1.5), K1 0.01, K2 0.03, L 1,
/// population statistics, mean of the map over the 'valid' region (5 pixels cropped on every side).</summary>
public static class Ssim
{
    const int Radius = 5;
    const double C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;
    static readonly double[] Taps = MakeTaps();

    static double[] MakeTaps()
    {
        var t = new double[2 * Radius + 1];
        for (int i = 0; i < t.Length; i++) t[i] = Math.Exp(-((i - Radius) * (i - Radius)) / (2 * 1.5 * 1.5));
        double s = t.Sum();
        for (int i = 0; i < t.Length; i++) t[i] /= s;
        return t;
    }

    /// <summary>Mean SSIM of <paramref name="x"/> against <paramref name="y"/>; both at least 11x11.</summary>
    public static double Compute(Image2D x, Image2D y)
    {
        Psnr.SameShape(x, y);
        int h = x.Height, w = x.Width, vh = h - 2 * Radius, vw = w - 2 * Radius;
        if (vh < 1 || vw < 1) throw new ArgumentException($"SSIM needs images of at least 11x11, found {h}x{w}");
        var xx = new double[h * w]; var yy = new double[h * w]; var xy = new double[h * w];
        for (int n = 0; n < xx.Length; n++) { xx[n] = x.Data[n] * x.Data[n]; yy[n] = y.Data[n] * y.Data[n]; xy[n] = x.Data[n] * y.Data[n]; }
        var mx = Valid(x.Data, h, w); var my = Valid(y.Data, h, w);
        var sxx = Valid(xx, h, w); var syy = Valid(yy, h, w); var sxy = Valid(xy, h, w);
        double total = 0;
        for (int n = 0; n < mx.Length; n++)
        {
            double ux = mx[n], uy = my[n];
            double vx = sxx[n] - ux * ux, vy = syy[n] - uy * uy, cxy = sxy[n] - ux * uy;
            total += (2 * ux * uy + C1) * (2 * cxy + C2) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
        }
        return total / mx.Length;
    }

    /// <summary>Separable Gaussian filtering, keeping only positions where the window fits (the 'valid' region).</summary>
    static double[] Valid(double[] a, int h, int w)
    {
        int vh = h - 2 * Radius, vw = w - 2 * Radius;
        var rows = new double[vh * w];
        for (int r = 0; r < vh; r++)
            for (int c = 0; c < w; c++)
            {
                double acc = 0;
                for (int t = 0; t < Taps.Length; t++) acc += Taps[t] * a[(r + t) * w + c];
                rows[r * w + c] = acc;
            }
        var o = new double[vh * vw];
        for (int r = 0; r < vh; r++)
            for (int c = 0; c < vw; c++)
            {
                double acc = 0;
                for (int t = 0; t < Taps.Length; t++) acc += Taps[t] * rows[r * w + c + t];
                o[r * vw + c] = acc;
            }
        return o;
    }
}
