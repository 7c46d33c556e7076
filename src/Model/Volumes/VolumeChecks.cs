namespace Dggrn.Model.Volumes;

/// <summary>Checks every reader applies to what it decoded, so bad volumes fail at load time with a one-line reason
/// instead of poisoning training (NaN losses) or slicing (a 2D image has no slices along two of its axes).</summary>
public static class VolumeChecks
{
    /// <summary>Refuses anything but a 3D volume with at least two voxels along every axis.</summary>
    /// <param name="path">Source named in the error.</param>
    /// <param name="field">Header field holding the sizes (e.g. "dim", "sizes").</param>
    /// <param name="dims">The first three sizes.</param>
    public static void Require3D(string path, string field, int[] dims)
    {
        if (dims.Any(d => d < 2))
            throw VolumeFormatException.Field(path, field, "a 3D volume (3 axes of at least 2 voxels)",
                $"{string.Join("x", dims)} (a {dims.Count(d => d >= 2)}D image)");
    }

    /// <summary>Refuses NaN and infinite voxels, naming how many there are and where the first one is.</summary>
    /// <remarks>Decision (docs/decisions.md, "Bad input"): refuse rather than replace. A NaN in an MRI volume means a broken
    /// export or a mask written into the data; silently zeroing it would change PSNR/SSIM without anyone noticing.</remarks>
    /// <param name="path">Source named in the error.</param>
    /// <param name="data">Decoded voxels, x fastest.</param>
    /// <param name="nx">Size of axis 0.</param>
    /// <param name="ny">Size of axis 1.</param>
    /// <param name="elementSize">Bytes per stored voxel, for the error (0: the format has no flat byte layout, e.g. HDF5).</param>
    public static void RequireFinite(string path, double[] data, int nx, int ny, int elementSize)
    {
        long first = -1, nan = 0, inf = 0;
        for (long n = 0; n < data.Length; n++)
        {
            var x = data[n];
            if (double.IsFinite(x)) continue;
            if (first < 0) first = n;
            if (double.IsNaN(x)) nan++; else inf++;
        }
        if (first < 0) return;
        long i = first % nx, j = first / nx % ny, k = first / ((long)nx * ny);
        throw VolumeFormatException.Field(path, "voxel data", "finite values",
            $"{nan} NaN and {inf} infinite voxel(s), the first at voxel ({i}, {j}, {k})" +
            (elementSize > 0 ? $", byte {first * elementSize} of the voxel data" : ""));
    }
}
