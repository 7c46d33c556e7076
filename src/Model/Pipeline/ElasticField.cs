namespace Dggrn.Model.Pipeline;

/// <summary>A smooth random displacement field over a patch: uniform random displacements of up to
/// <see cref="Alpha"/> pixels on a 4 x 4 control grid spanning the patch, interpolated bilinearly.</summary>
public sealed class ElasticField
{
    /// <summary>Largest control-point displacement in HR pixels.</summary>
    public const double Alpha = 2.0;
    const int Grid = 4;
    readonly double[] dy = new double[Grid * Grid], dx = new double[Grid * Grid];
    readonly double cell;

    ElasticField(int size) => cell = (size + 1) / (double)(Grid - 1);

    /// <summary>Draws a field for a patch of <paramref name="size"/> pixels from <paramref name="rng"/>.</summary>
    public static ElasticField Random(Random rng, int size)
    {
        var f = new ElasticField(size);
        for (int n = 0; n < Grid * Grid; n++) { f.dy[n] = (2 * rng.NextDouble() - 1) * Alpha; f.dx[n] = (2 * rng.NextDouble() - 1) * Alpha; }
        return f;
    }

    /// <summary>Displacement at patch pixel (y, x); valid from -1 to size (the blur margin).</summary>
    public (double Dy, double Dx) At(int y, int x)
    {
        double gy = Math.Clamp((y + 1) / cell, 0, Grid - 1 - 1e-9), gx = Math.Clamp((x + 1) / cell, 0, Grid - 1 - 1e-9);
        int iy = (int)gy, ix = (int)gx;
        double wy = gy - iy, wx = gx - ix;
        double Lerp(double[] a) =>
            (1 - wy) * ((1 - wx) * a[iy * Grid + ix] + wx * a[iy * Grid + ix + 1]) + wy * ((1 - wx) * a[(iy + 1) * Grid + ix] + wx * a[(iy + 1) * Grid + ix + 1]);
        return (Lerp(dy), Lerp(dx));
    }
}
