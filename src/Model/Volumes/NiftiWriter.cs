using System.Buffers.Binary;
using System.IO.Compression;

namespace Dggrn.Model.Volumes;

/// <summary>Writes a volume as little-endian float32 NIfTI-1 (.nii, or gzip-compressed when the path ends in .gz).</summary>
public static class NiftiWriter
{
    /// <summary>Writes <paramref name="volume"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, Volume volume)
    {
        var bytes = Encode(volume);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var file = File.Create(path);
            using var gz = new GZipStream(file, CompressionLevel.Optimal);
            gz.Write(bytes);
        }
        else File.WriteAllBytes(path, bytes);
    }

    /// <summary>The uncompressed NIfTI-1 bytes (header, 4-byte extension flag, float32 data).</summary>
    public static byte[] Encode(Volume v)
    {
        const int offset = 352;
        var b = new byte[offset + v.Data.Length * 4];
        var s = b.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, 348);
        BinaryPrimitives.WriteInt16LittleEndian(s[40..], 3);
        BinaryPrimitives.WriteInt16LittleEndian(s[42..], (short)v.Nx);
        BinaryPrimitives.WriteInt16LittleEndian(s[44..], (short)v.Ny);
        BinaryPrimitives.WriteInt16LittleEndian(s[46..], (short)v.Nz);
        for (int a = 4; a <= 7; a++) BinaryPrimitives.WriteInt16LittleEndian(s[(40 + 2 * a)..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(s[70..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(s[72..], 32);
        BinaryPrimitives.WriteSingleLittleEndian(s[76..], 1f);
        for (int a = 0; a < 3; a++) BinaryPrimitives.WriteSingleLittleEndian(s[(80 + 4 * a)..], (float)v.VoxelSize[a]);
        BinaryPrimitives.WriteSingleLittleEndian(s[108..], offset);
        BinaryPrimitives.WriteSingleLittleEndian(s[112..], 1f);
        b[123] = 10; // xyzt_units: mm and seconds
        BinaryPrimitives.WriteInt16LittleEndian(s[252..], 0); // qform_code
        "n+1\0"u8.CopyTo(s[344..]);
        for (int n = 0; n < v.Data.Length; n++) BinaryPrimitives.WriteSingleLittleEndian(s[(offset + 4 * n)..], (float)v.Data[n]);
        return b;
    }
}
