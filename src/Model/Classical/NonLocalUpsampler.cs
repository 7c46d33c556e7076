using Dggrn.Model.Pipeline;

namespace Dggrn.Model.Classical;

/// <summary>Non-local MRI upsampling (Manjón et al., Med. Image Anal. 2010) on one 2D slice: interpolate, then
/// alternate non-local-means filtering of the current estimate with the mean-preserving (back-projection) constraint,
/// lowering the filtering strength each iteration, until the estimate stops changing.</summary>
public static class NonLocalUpsampler
{
    /// <summary>Rounds of alternating projection (constraint, [0, 1] box) after each filtering step; the result gets
    /// <see cref="FinalBoxRounds"/> so it meets the constraint tightly (at x2 a round costs a conjugate-gradient solve).</summary>
    const int BoxRounds = 5, FinalBoxRounds = 40;

    /// <summary>Upscales <paramref name="lr"/> by <paramref name="scale"/>; the result lies in [0, 1] and degrades back to <paramref name="lr"/>.</summary>
    public static Image2D Upscale(Image2D lr, int scale, NmuOptions o, CancellationToken ct = default) =>
        Upscale(lr, scale, o, out _, ct);

    /// <summary>As <see cref="Upscale(Image2D, int, NmuOptions, CancellationToken)"/>, also returning the iterations run.</summary>
    public static Image2D Upscale(Image2D lr, int scale, NmuOptions o, out int iterations, CancellationToken ct = default)
    {
        int H = lr.Height * scale, W = lr.Width * scale;
        var d = new DegradationOperator(H, W, scale);
        var x = Consistency.ProjectInBox(d, Bicubic.Upscale(lr, scale).Data, lr.Data, BoxRounds);
        double h = o.H;
        iterations = 0;
        for (int it = 0; it < o.MaxIterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            var filtered = Filter(x, H, W, o.PatchRadius, o.SearchRadius, h);
            var next = Consistency.ProjectInBox(d, filtered, lr.Data, BoxRounds);
            double change = 0;
            for (int i = 0; i < x.Length; i++) change += Math.Abs(next[i] - x[i]);
            x = next;
            iterations = it + 1;
            if (change / x.Length < o.Tolerance) break;
            h *= o.HDecay;
        }
        return new Image2D(H, W, Consistency.ProjectInBox(d, x, lr.Data, FinalBoxRounds));
    }

    /// <summary>One pass of non-local means: every pixel becomes the weighted mean of the pixels in its search window,
    /// weight exp(-d^2 / h^2) with d^2 the mean squared difference of their patches; the centre pixel gets the largest
    /// weight of the others (so it does not dominate); edges are replicated.</summary>
    public static double[] Filter(double[] x, int height, int width, int patchRadius, int searchRadius, double h)
    {
        int pad = patchRadius + searchRadius, pw = width + 2 * pad;
        var p = new double[(height + 2 * pad) * pw];
        for (int r = 0; r < height + 2 * pad; r++)
        {
            int sr = Math.Clamp(r - pad, 0, height - 1);
            for (int c = 0; c < pw; c++) p[r * pw + c] = x[sr * width + Math.Clamp(c - pad, 0, width - 1)];
        }
        int side = 2 * patchRadius + 1;
        double norm = 1.0 / (side * side * h * h);
        var o = new double[x.Length];
        for (int r = 0; r < height; r++)
        for (int c = 0; c < width; c++)
        {
            int centre = (r + pad) * pw + c + pad;
            double acc = 0, sum = 0, wmax = 0;
            for (int dr = -searchRadius; dr <= searchRadius; dr++)
            {
                int rr = r + dr;
                if (rr < 0 || rr >= height) continue;
                for (int dc = -searchRadius; dc <= searchRadius; dc++)
                {
                    int cc = c + dc;
                    if (cc < 0 || cc >= width || (dr == 0 && dc == 0)) continue;
                    int other = centre + dr * pw + dc;
                    double d2 = 0;
                    for (int a = -patchRadius; a <= patchRadius; a++)
                    {
                        int row = a * pw;
                        for (int b = -patchRadius; b <= patchRadius; b++)
                        {
                            double t = p[centre + row + b] - p[other + row + b];
                            d2 += t * t;
                        }
                    }
                    double wgt = Math.Exp(-d2 * norm);
                    if (wgt > wmax) wmax = wgt;
                    acc += wgt * p[other];
                    sum += wgt;
                }
            }
            if (wmax == 0) wmax = 1;
            acc += wmax * p[centre];
            sum += wmax;
            o[r * width + c] = acc / sum;
        }
        return o;
    }
}
