using Dggrn.Model.Volumes;
using PureHDF;
using Xunit;

namespace Dggrn.Model.Tests;

public sealed class MincReaderTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("dggrn-minc-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void IntegerImageWithPerSliceRealRange()
    {
        // 2 z-slices of 1x3 int16 stored values [0, 50, 100]; valid_range [0, 100];
        // slice 0 real range [0, 10] -> 0, 5, 10; slice 1 real range [-20, 20] -> -20, 0, 20.
        var image = new H5Dataset(new short[] { 0, 50, 100, 0, 50, 100 }, fileDims: [2UL, 1UL, 3UL]);
        image.Attributes["valid_range"] = new double[] { 0, 100 };
        var x = new H5Group();
        x.Attributes["step"] = -0.5;
        var file = new H5File
        {
            ["minc-2.0"] = new H5Group
            {
                ["image"] = new H5Group
                {
                    ["0"] = new H5Group
                    {
                        ["image"] = image,
                        ["image-max"] = new H5Dataset(new double[] { 10, 20 }),
                        ["image-min"] = new H5Dataset(new double[] { 0, -20 }),
                    },
                },
                ["dimensions"] = new H5Group { ["xspace"] = x },
            },
        };
        var path = Path.Combine(dir, "t.mnc");
        file.Write(path);
        var v = VolumeLoader.Load(path);
        Assert.Equal((3, 1, 2), (v.Nx, v.Ny, v.Nz));
        Assert.Equal(new double[] { 0, 5, 10, -20, 0, 20 }, v.Data);
        Assert.Equal(new[] { 0.5, 1, 1 }, v.VoxelSize);
        Assert.Equal("minc2", v.Format);
        Assert.Equal("int16", v.DataType);
    }

    [Fact]
    public void NonMincHdf5FileIsRejectedClearly()
    {
        var path = Path.Combine(dir, "other.mnc");
        new H5File { ["data"] = new H5Dataset(new float[] { 1, 2 }) }.Write(path);
        var e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(path));
        Assert.Contains("image: expected an HDF5 dataset at /minc-2.0/image/0/image", e.Message);
        File.WriteAllBytes(path, [(byte)'C', (byte)'D', (byte)'F', 1, 0, 0]);
        e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(path));
        Assert.Contains("format: expected MINC2 (HDF5), found MINC1 (netCDF)", e.Message);
        File.WriteAllBytes(path, new byte[100]);
        e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(path));
        Assert.Contains("other.mnc: HDF5: expected a readable MINC2 file", e.Message);
    }
}
