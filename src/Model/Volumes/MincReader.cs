using PureHDF;

namespace Dggrn.Model.Volumes;

/// <summary>Reads MINC2 volumes (HDF5), as BrainWeb distributes them, through PureHDF.</summary>
/// <remarks>Layout per the MINC2 format: /minc-2.0/image/0/image holds the voxels (slowest dimension first, usually
/// zspace, yspace, xspace), optional /minc-2.0/image/0/image-max and image-min hold per-slice real ranges, and the image's
/// valid_range attribute (or the integer type's full range) gives the stored range they map from. Floating-point images are
/// used as stored. Step sizes come from /minc-2.0/dimensions/{x,y,z}space "step".</remarks>
public static class MincReader
{
    const string ImagePath = "/minc-2.0/image/0/image";

    /// <summary>Loads the volume at <paramref name="path"/>.</summary>
    public static Volume Read(string path)
    {
        if (!File.Exists(path)) throw new VolumeFormatException($"{path}: file not found");
        using (var probe = File.OpenRead(path))
        {
            Span<byte> magic = stackalloc byte[3];
            if (probe.Read(magic) == 3 && magic.SequenceEqual("CDF"u8))
                throw VolumeFormatException.Field(path, "format", "MINC2 (HDF5)", "MINC1 (netCDF); convert it with `mincconvert -2` or use BrainWeb's raw download");
        }
        try
        {
            using var file = H5File.OpenRead(path);
            if (!file.LinkExists(ImagePath)) throw VolumeFormatException.Field(path, "image", $"an HDF5 dataset at {ImagePath} (MINC2)", "none");
            var ds = file.Dataset(ImagePath);
            var dims = ds.Space.Dimensions;
            if (dims.Length is < 2 or > 4) throw VolumeFormatException.Field(path, "image rank", "2, 3 or 4", dims.Length.ToString());
            // 4D: the first frame is the slowest dimension's index 0 (MINC puts time first).
            var d3 = dims.Length == 4 ? dims[1..] : dims.Length == 2 ? [1UL, dims[0], dims[1]] : dims;
            long count = (long)(d3[0] * d3[1] * d3[2]);
            var (data, typeName, isFloat, typeMin, typeMax) = ReadData(path, ds, count);
            if (!isFloat) ApplySliceScaling(path, file, ds, data, typeMin, typeMax);
            double Step(string dim)
            {
                var p = $"/minc-2.0/dimensions/{dim}";
                if (!file.LinkExists(p)) return 1;
                var o = file.Get(p);
                if (!o.AttributeExists("step")) return 1;
                var s = Math.Abs(o.Attribute("step").Read<double>());
                return s > 0 ? s : 1;
            }
            VolumeChecks.RequireFinite(path, data, (int)d3[2], (int)d3[1], 0);
            return new Volume((int)d3[2], (int)d3[1], (int)d3[0], data, [Step("xspace"), Step("yspace"), Step("zspace")], "minc2", typeName);
        }
        catch (VolumeFormatException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new VolumeFormatException($"{path}: HDF5: expected a readable MINC2 file, found {e.GetType().Name}: {e.Message}", e);
        }
    }

    static (double[] Data, string Type, bool IsFloat, double Min, double Max) ReadData(string path, IH5Dataset ds, long count)
    {
        var t = ds.Type;
        double[] Take<T>(T[] a, Func<T, double> f) => a.Take((int)count).Select(f).ToArray();
        if (t.Class == H5DataTypeClass.FloatingPoint)
            return t.Size == 4 ? (Take(ds.Read<float[]>(), x => x), "float32", true, 0, 0) : (Take(ds.Read<double[]>(), x => x), "float64", true, 0, 0);
        if (t.Class != H5DataTypeClass.FixedPoint) throw VolumeFormatException.Field(path, "image type", "integer or floating point", t.Class.ToString());
        bool signed = t.FixedPoint.IsSigned;
        return (t.Size, signed) switch
        {
            (1, false) => (Take(ds.Read<byte[]>(), x => x), "uint8", false, byte.MinValue, byte.MaxValue),
            (1, true) => (Take(ds.Read<sbyte[]>(), x => x), "int8", false, sbyte.MinValue, sbyte.MaxValue),
            (2, false) => (Take(ds.Read<ushort[]>(), x => x), "uint16", false, ushort.MinValue, ushort.MaxValue),
            (2, true) => (Take(ds.Read<short[]>(), x => x), "int16", false, short.MinValue, short.MaxValue),
            (4, false) => (Take(ds.Read<uint[]>(), x => x), "uint32", false, uint.MinValue, uint.MaxValue),
            (4, true) => (Take(ds.Read<int[]>(), x => x), "int32", false, int.MinValue, int.MaxValue),
            _ => throw VolumeFormatException.Field(path, "image type", "an integer of 1, 2 or 4 bytes", $"{t.Size} bytes"),
        };
    }

    /// <summary>real = (stored - vmin) / (vmax - vmin) * (imax - imin) + imin, with imax/imin per slowest-dimension entry.</summary>
    static void ApplySliceScaling(string path, IH5Group file, IH5Dataset ds, double[] data, double typeMin, double typeMax)
    {
        const string maxPath = "/minc-2.0/image/0/image-max", minPath = "/minc-2.0/image/0/image-min";
        if (!file.LinkExists(maxPath) || !file.LinkExists(minPath)) return;
        var imax = file.Dataset(maxPath).Read<double[]>();
        var imin = file.Dataset(minPath).Read<double[]>();
        if (imax.Length == 0 || imax.Length != imin.Length || data.Length % imax.Length != 0)
            throw VolumeFormatException.Field(path, "image-max/image-min", $"equal lengths dividing {data.Length} voxels", $"{imax.Length} and {imin.Length}");
        double vmin = typeMin, vmax = typeMax;
        if (ds.AttributeExists("valid_range"))
        {
            var vr = ds.Attribute("valid_range").Read<double[]>();
            if (vr.Length == 2 && vr[1] > vr[0]) (vmin, vmax) = (vr[0], vr[1]);
        }
        int per = data.Length / imax.Length;
        for (int n = 0; n < data.Length; n++)
        {
            int s = n / per;
            data[n] = (data[n] - vmin) / (vmax - vmin) * (imax[s] - imin[s]) + imin[s];
        }
    }
}
