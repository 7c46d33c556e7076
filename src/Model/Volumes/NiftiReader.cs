using System.Buffers.Binary;

namespace Dggrn.Model.Volumes;

/// <summary>Reads NIfTI-1 single files (.nii, .nii.gz) in either byte order.</summary>
/// <remarks>Spec: https://nifti.nimh.nih.gov/nifti-1 (nifti1.h). A 4D (or higher) volume yields its first 3D frame;
/// scl_slope/scl_inter are applied when the slope is neither 0 nor NaN.</remarks>
public static class NiftiReader
{
    const int HeaderSize = 348;

    /// <summary>Loads the volume at <paramref name="path"/>.</summary>
    public static Volume Read(string path) => Parse(path, VoxelDecoder.ReadMaybeGzip(path));

    /// <summary>Parses NIfTI-1 bytes (already un-gzipped); <paramref name="path"/> names the source in errors.</summary>
    public static Volume Parse(string path, byte[] b)
    {
        if (b.Length < HeaderSize)
            throw VolumeFormatException.Field(path, "header", $"at least {HeaderSize} bytes", b.Length == 0 ? "an empty file" : $"{b.Length} bytes (truncated)");
        int sizeLe = BinaryPrimitives.ReadInt32LittleEndian(b);
        bool big;
        if (sizeLe == HeaderSize) big = false;
        else if (BinaryPrimitives.ReadInt32BigEndian(b) == HeaderSize) big = true;
        else throw VolumeFormatException.Field(path, "sizeof_hdr (byte 0)", "348 (NIfTI-1)", sizeLe.ToString());
        var magic = System.Text.Encoding.Latin1.GetString(b, 344, 3);
        if (magic == "ni1")
            throw VolumeFormatException.Field(path, "magic (byte 344)", "'n+1' (single-file NIfTI)", "'ni1' (separate .hdr/.img pair, not supported)");
        if (magic != "n+1")
            throw VolumeFormatException.Field(path, "magic (byte 344)", "'n+1'", VolumeFormatException.Quote(magic));

        short I16(int o) => big ? BinaryPrimitives.ReadInt16BigEndian(b.AsSpan(o)) : BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(o));
        float F32(int o) => big ? BinaryPrimitives.ReadSingleBigEndian(b.AsSpan(o)) : BinaryPrimitives.ReadSingleLittleEndian(b.AsSpan(o));

        int ndim = I16(40);
        if (ndim < 1 || ndim > 7) throw VolumeFormatException.Field(path, "dim[0]", "3..7 (a 3D volume, 4D+ uses the first frame)", ndim.ToString());
        var all = new int[ndim];
        for (int a = 0; a < ndim; a++)
        {
            all[a] = I16(42 + 2 * a);
            if (all[a] < 1) throw VolumeFormatException.Field(path, $"dim[{a + 1}]", "a positive size", all[a].ToString());
        }
        var dims = new int[3];
        for (int a = 0; a < 3; a++) dims[a] = a < ndim ? all[a] : 1;
        VolumeChecks.Require3D(path, "dim[1..3]", dims);
        short datatype = I16(70);
        var type = datatype switch
        {
            2 => VoxelType.UInt8, 4 => VoxelType.Int16, 8 => VoxelType.Int32, 16 => VoxelType.Float32, 64 => VoxelType.Float64,
            256 => VoxelType.Int8, 512 => VoxelType.UInt16, 768 => VoxelType.UInt32, 1024 => VoxelType.Int64, 1280 => VoxelType.UInt64,
            _ => throw VolumeFormatException.Field(path, "datatype (byte 70)", "one of 2,4,8,16,64,256,512,768,1024,1280 (scalar types)", datatype.ToString()),
        };
        var voxel = new double[3];
        for (int a = 0; a < 3; a++)
        {
            double p = Math.Abs(F32(80 + 4 * a));
            voxel[a] = p > 0 && double.IsFinite(p) ? p : 1;
        }
        float voxOffset = F32(108);
        // vox_offset is a float; a missing one (0, NaN, below the header) falls back to the usual 352.
        long offset = float.IsFinite(voxOffset) && voxOffset >= HeaderSize ? (long)Math.Min(voxOffset, 1e15) : 352;
        double slope = F32(112), inter = F32(116);
        int size = VoxelDecoder.Size(type);
        // dim[] comes from the file: a floating-point bound first keeps seven int16 sizes from overflowing a long.
        double plausible = offset + all.Aggregate(1.0, (p, d) => p * d) * size;
        if (plausible > b.Length)
            throw VolumeFormatException.Field(path, "voxel data", $"{plausible.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} bytes (offset {offset} + {string.Join("x", all)} x {VoxelDecoder.Name(type)})", $"{b.Length} bytes (truncated, or dim[] larger than the data)");
        long count = (long)dims[0] * dims[1] * dims[2];
        // Every frame of a 4D+ file must be there too; more bytes than dim[] describes means the header is wrong.
        long whole = offset + all.Aggregate(1L, (p, d) => p * d) * size;
        if (b.Length > whole)
            throw VolumeFormatException.Field(path, "voxel data", $"{whole} bytes (offset {offset} + {string.Join("x", all)} x {VoxelDecoder.Name(type)})", $"{b.Length} bytes ({b.Length - whole} more than dim[] describes)");
        var data = VoxelDecoder.Decode(b, (int)offset, count, type, big);
        if (slope != 0 && double.IsFinite(slope) && !(slope == 1 && inter == 0))
        {
            if (!double.IsFinite(inter)) inter = 0;
            for (long n = 0; n < data.Length; n++) data[n] = data[n] * slope + inter;
        }
        VolumeChecks.RequireFinite(path, data, dims[0], dims[1], size);
        return new Volume(dims[0], dims[1], dims[2], data, voxel, "nifti", VoxelDecoder.Name(type));
    }
}
