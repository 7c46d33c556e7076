namespace Dggrn.Model.Volumes;

/// <summary>A 3D scalar volume in the stored voxel order: index (i, j, k) lives at i + Nx * (j + Ny * k).</summary>
/// <param name="Nx">Size of axis 0 (fastest in storage).</param>
/// <param name="Ny">Size of axis 1.</param>
/// <param name="Nz">Size of axis 2 (slowest).</param>
/// <param name="Data">Voxel values with the format's scaling applied.</param>
/// <param name="VoxelSize">Voxel spacing in mm per axis (1 where the file does not say).</param>
/// <param name="Format">Reader that produced it ("nifti", "nrrd", "brainweb-raw", "minc2", "phantom").</param>
/// <param name="DataType">Stored data type name (e.g. "int16").</param>
public sealed record Volume(int Nx, int Ny, int Nz, double[] Data, double[] VoxelSize, string Format, string DataType)
{
    /// <summary>Dimension of the given axis.</summary>
    public int Dim(int axis) => axis switch { 0 => Nx, 1 => Ny, 2 => Nz, _ => throw new ArgumentOutOfRangeException(nameof(axis)) };

    /// <summary>Value at (i, j, k).</summary>
    public double this[int i, int j, int k] => Data[i + Nx * (j + Ny * k)];
}
