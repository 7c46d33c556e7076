using Dggrn.Model.Volumes;

namespace Dggrn.Model.Pipeline;

/// <summary>dggrn-v1 step 2: 2D slices of the stored voxel array, no reorientation.</summary>
public static class Slicer
{
    /// <summary>Slice <paramref name="n"/> on <paramref name="axis"/>: rows and columns are the other two axes in stored
    /// order (axis 0 gives rows j, columns k; axis 1 rows i, columns k; axis 2 rows i, columns j), as numpy's v[n], v[:, n], v[:, :, n].</summary>
    public static Image2D Slice(Volume v, int axis, int n)
    {
        switch (axis)
        {
            case 0:
            {
                var img = new Image2D(v.Ny, v.Nz);
                for (int j = 0; j < v.Ny; j++) for (int k = 0; k < v.Nz; k++) img[j, k] = v[n, j, k];
                return img;
            }
            case 1:
            {
                var img = new Image2D(v.Nx, v.Nz);
                for (int i = 0; i < v.Nx; i++) for (int k = 0; k < v.Nz; k++) img[i, k] = v[i, n, k];
                return img;
            }
            case 2:
            {
                var img = new Image2D(v.Nx, v.Ny);
                for (int i = 0; i < v.Nx; i++) for (int j = 0; j < v.Ny; j++) img[i, j] = v[i, j, n];
                return img;
            }
            default: throw new ArgumentOutOfRangeException(nameof(axis), axis, "axis must be 0, 1 or 2");
        }
    }
}
