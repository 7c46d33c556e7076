namespace Dggrn.Model.Pipeline;

/// <summary>dggrn-v1 step 6: MATLAB imresize(x, s, 'bicubic') for integer upscaling, then clipped to [0, 1].</summary>
/// <remarks>Keys cubic (a = -0.5); output pixel x (0-based) samples input coordinate (x + 0.5) / s - 0.5; the four nearest
/// taps, weights normalised to sum 1, symmetric (mirror, edge repeated) boundary; rows first, then columns.</remarks>
public static class Bicubic
{
    /// <summary>The Keys cubic convolution kernel with a = -0.5.</summary>
    public static double Cubic(double x)
    {
        double ax = Math.Abs(x), ax2 = ax * ax, ax3 = ax2 * ax;
        if (ax <= 1) return 1.5 * ax3 - 2.5 * ax2 + 1;
        if (ax <= 2) return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2;
        return 0;
    }

    /// <summary>Input indices and weights for every output position of a 1D resize from <paramref name="inLen"/> by <paramref name="scale"/>.</summary>
    public static (int[] Index, double[] Weight) Contributions(int inLen, int scale)
    {
        int outLen = inLen * scale;
        var idx = new int[outLen * 4];
        var wts = new double[outLen * 4];
        for (int x = 0; x < outLen; x++)
        {
            double u = (x + 0.5) / scale - 0.5;
            int left = (int)Math.Floor(u) - 1;
            double sum = 0;
            for (int t = 0; t < 4; t++)
            {
                double w = Cubic(u - (left + t));
                wts[x * 4 + t] = w;
                sum += w;
                idx[x * 4 + t] = Mirror(left + t, inLen);
            }
            for (int t = 0; t < 4; t++) wts[x * 4 + t] /= sum;
        }
        return (idx, wts);
    }

    /// <summary>MATLAB's symmetric padding: -1 maps to 0, n maps to n - 1, periodic over 2n.</summary>
    static int Mirror(int i, int n)
    {
        int m = ((i % (2 * n)) + 2 * n) % (2 * n);
        return m < n ? m : 2 * n - 1 - m;
    }

    /// <summary>Upscales <paramref name="lr"/> by the integer <paramref name="s"/>; the result is clipped to [0, 1].</summary>
    public static Image2D Upscale(Image2D lr, int s)
    {
        int h = lr.Height, w = lr.Width, H = h * s, W = w * s;
        var (ri, rw) = Contributions(h, s);
        var (ci, cw) = Contributions(w, s);
        var tmp = new double[H * w]; // rows resized first (MATLAB resizes dimension 1 first when scales are equal)
        for (int y = 0; y < H; y++)
            for (int c = 0; c < w; c++)
            {
                double acc = 0;
                for (int t = 0; t < 4; t++) acc += rw[y * 4 + t] * lr.Data[ri[y * 4 + t] * w + c];
                tmp[y * w + c] = acc;
            }
        var o = new Image2D(H, W);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                double acc = 0;
                for (int t = 0; t < 4; t++) acc += cw[x * 4 + t] * tmp[y * w + ci[x * 4 + t]];
                o.Data[y * W + x] = Math.Clamp(acc, 0, 1);
            }
        return o;
    }
}
