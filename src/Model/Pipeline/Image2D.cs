namespace Dggrn.Model.Pipeline;

/// <summary>A 2D float64 image, row-major: pixel (r, c) at r * Width + c.</summary>
public sealed record Image2D(int Height, int Width, double[] Data)
{
    /// <summary>A zero image.</summary>
    public Image2D(int height, int width) : this(height, width, new double[height * width]) { }

    /// <summary>Pixel (r, c).</summary>
    public double this[int r, int c]
    {
        get => Data[r * Width + c];
        set => Data[r * Width + c] = value;
    }
}
