using Dggrn.Model.Imaging;
using Dggrn.Model.Pipeline;

namespace Dggrn.Model.Training;

/// <summary>Chooses example slices and renders them as PNGs (lr, bicubic, sr, hr, error, gm).</summary>
public static class Examples
{
    /// <summary>Error images are |sr - hr| multiplied by this, so typical errors are visible.</summary>
    public const double ErrorGain = 5;

    /// <summary>Up to <paramref name="count"/> slices of the first test volume: axes in turn, the middle kept slice (then quartiles).</summary>
    public static IReadOnlyList<SlicePair> Pick(IReadOnlyList<SlicePair> slices, int count)
    {
        var first = slices.Where(s => s.Volume == 0).ToList();
        var axes = first.Select(s => s.Axis).Distinct().Order().ToArray();
        var picked = new List<SlicePair>();
        double[] fractions = [0.5, 0.3, 0.7, 0.2, 0.8];
        for (int n = 0; n < count && axes.Length > 0; n++)
        {
            var onAxis = first.Where(s => s.Axis == axes[n % axes.Length]).ToList();
            var f = fractions[Math.Min(n / axes.Length, fractions.Length - 1)];
            var pick = onAxis[(int)(f * (onAxis.Count - 1))];
            if (!picked.Contains(pick)) picked.Add(pick);
        }
        return picked;
    }

    /// <summary>Renders one slice's images.</summary>
    public static IEnumerable<ExampleImage> Render(SlicePair s, int scale, Image2D? sr, Image2D? gm)
    {
        yield return new ExampleImage("lr", s.Axis, s.Index, PngEncoder.Encode(s.Lr));
        var bicubic = Bicubic.Upscale(s.Lr, scale);
        yield return new ExampleImage("bicubic", s.Axis, s.Index, PngEncoder.Encode(bicubic));
        var shown = sr ?? bicubic;
        if (sr is not null) yield return new ExampleImage("sr", s.Axis, s.Index, PngEncoder.Encode(sr));
        yield return new ExampleImage("hr", s.Axis, s.Index, PngEncoder.Encode(s.Hr));
        var err = new Image2D(s.Hr.Height, s.Hr.Width, s.Hr.Data.Select((v, i) => Math.Abs(shown.Data[i] - v) * ErrorGain).ToArray());
        yield return new ExampleImage("error", s.Axis, s.Index, PngEncoder.Encode(err));
        if (gm is not null) yield return new ExampleImage("gm", s.Axis, s.Index, PngEncoder.Encode(gm));
    }
}
