namespace Dggrn.Model.Pipeline;

/// <summary>dggrn-v1 steps 3 to 5: per-slice normalisation with background skip, modcrop, Gaussian blur and decimation.</summary>
public static class Degradation
{
    /// <summary>Step 3: (x - min) / (max - min); null when the slice is constant or fewer than 10% of its pixels exceed 0.1.</summary>
    public static Image2D? Normalise(Image2D img)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var x in img.Data) { if (x < min) min = x; if (x > max) max = x; }
        if (!(max > min)) return null;
        var d = new double[img.Data.Length];
        double range = max - min;
        int bright = 0;
        for (int n = 0; n < d.Length; n++)
        {
            d[n] = (img.Data[n] - min) / range;
            if (d[n] > 0.1) bright++;
        }
        return bright < 0.1 * d.Length ? null : img with { Data = d };
    }

    /// <summary>Step 4: keep rows [0, H - H mod s) and columns [0, W - W mod s).</summary>
    public static Image2D Modcrop(Image2D img, int s)
    {
        int h = img.Height - img.Height % s, w = img.Width - img.Width % s;
        if (h == img.Height && w == img.Width) return img;
        var o = new Image2D(h, w);
        for (int r = 0; r < h; r++) Array.Copy(img.Data, r * img.Width, o.Data, r * w, w);
        return o;
    }

    /// <summary>The 3x3 Gaussian kernel of sigma 1 as its separable 1D factor [e^-1/2, 1, e^-1/2] / sum.</summary>
    public static double[] GaussianTaps()
    {
        double e = Math.Exp(-0.5), sum = 1 + 2 * e;
        return [e / sum, 1 / sum, e / sum];
    }

    /// <summary>Step 5, first half: correlate with the normalised 3x3 Gaussian (sigma 1), edges replicated.</summary>
    public static Image2D Blur(Image2D img)
    {
        var t = GaussianTaps();
        int h = img.Height, w = img.Width;
        var o = new Image2D(h, w);
        // The 2D kernel is the outer product of the taps; summing the nine products keeps it exactly the 2D correlation.
        for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++)
        {
            double acc = 0;
            for (int dr = -1; dr <= 1; dr++)
            {
                int rr = Math.Clamp(r + dr, 0, h - 1);
                for (int dc = -1; dc <= 1; dc++)
                    acc += t[dr + 1] * t[dc + 1] * img.Data[rr * w + Math.Clamp(c + dc, 0, w - 1)];
            }
            o.Data[r * w + c] = acc;
        }
        return o;
    }

    /// <summary>Step 5, second half: LR = blurred[0::s, 0::s].</summary>
    public static Image2D Decimate(Image2D img, int s)
    {
        int h = (img.Height + s - 1) / s, w = (img.Width + s - 1) / s;
        var o = new Image2D(h, w);
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) o.Data[r * w + c] = img.Data[r * s * img.Width + c * s];
        return o;
    }

    /// <summary>Step 5: blur then decimate.</summary>
    public static Image2D Degrade(Image2D hr, int s) => Decimate(Blur(hr), s);
}
