namespace Dggrn.Model.Pipeline;

/// <summary>The 8 flips/rotations of a 2D image (dihedral group D4): transform t = optional column flip (t &gt;= 4) followed by
/// t mod 4 counter-clockwise quarter turns (numpy rot90).</summary>
public static class Dihedral
{
    /// <summary>Transformed size of an H x W image.</summary>
    public static (int H, int W) Size(int t, int h, int w) => (t & 1) == 0 ? (h, w) : (w, h);

    /// <summary>Maps a pixel (y, x) of the H x W original to its position in the transformed image.</summary>
    public static (int Y, int X) Forward(int t, int h, int w, int y, int x)
    {
        if (t >= 4) x = w - 1 - x;
        for (int k = 0; k < (t & 3); k++) { (y, x) = (w - 1 - x, y); (h, w) = (w, h); }
        return (y, x);
    }

    /// <summary>Maps a pixel (y, x) of the transformed image back to the H x W original.</summary>
    public static (int Y, int X) Inverse(int t, int h, int w, int y, int x)
    {
        // Undo the quarter turns one at a time; the image before each turn had the dims it had then.
        int turns = t & 3;
        var (ch, cw) = Size(turns, h, w);
        for (int k = 0; k < turns; k++)
        {
            // rot90 maps (y0, x0) in an a x b image to (b - 1 - x0, y0) in b x a; invert with the pre-turn dims (a, b) = (cw, ch).
            int a = cw, b = ch;
            (y, x) = (x, b - 1 - y);
            (ch, cw) = (a, b);
        }
        if (t >= 4) x = w - 1 - x;
        return (y, x);
    }
}
