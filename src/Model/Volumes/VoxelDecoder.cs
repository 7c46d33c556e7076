using System.Buffers.Binary;

namespace Dggrn.Model.Volumes;

/// <summary>Element types the readers decode, and the conversion of raw bytes to float64.</summary>
public enum VoxelType { UInt8, Int8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float32, Float64 }

/// <summary>Decodes raw voxel bytes of any supported type and byte order to float64.</summary>
public static class VoxelDecoder
{
    /// <summary>Bytes per element.</summary>
    public static int Size(VoxelType t) => t switch
    {
        VoxelType.UInt8 or VoxelType.Int8 => 1,
        VoxelType.Int16 or VoxelType.UInt16 => 2,
        VoxelType.Int32 or VoxelType.UInt32 or VoxelType.Float32 => 4,
        _ => 8,
    };

    /// <summary>Lower-case name ("int16", "float32", ...).</summary>
    public static string Name(VoxelType t) => t.ToString().ToLowerInvariant();

    /// <summary>Decodes <paramref name="count"/> elements from <paramref name="bytes"/> starting at <paramref name="offset"/>.</summary>
    public static double[] Decode(ReadOnlySpan<byte> bytes, int offset, long count, VoxelType type, bool bigEndian)
    {
        int size = Size(type);
        var result = new double[count];
        var src = bytes.Slice(offset);
        for (long n = 0; n < count; n++)
        {
            var e = src.Slice((int)(n * size), size);
            result[n] = type switch
            {
                VoxelType.UInt8 => e[0],
                VoxelType.Int8 => (sbyte)e[0],
                VoxelType.Int16 => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(e) : BinaryPrimitives.ReadInt16LittleEndian(e),
                VoxelType.UInt16 => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(e) : BinaryPrimitives.ReadUInt16LittleEndian(e),
                VoxelType.Int32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(e) : BinaryPrimitives.ReadInt32LittleEndian(e),
                VoxelType.UInt32 => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(e) : BinaryPrimitives.ReadUInt32LittleEndian(e),
                VoxelType.Int64 => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e),
                VoxelType.UInt64 => bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(e) : BinaryPrimitives.ReadUInt64LittleEndian(e),
                VoxelType.Float32 => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(e) : BinaryPrimitives.ReadSingleLittleEndian(e),
                _ => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(e) : BinaryPrimitives.ReadDoubleLittleEndian(e),
            };
        }
        return result;
    }

    /// <summary>Reads a whole file, transparently un-gzipping it when it starts with the gzip magic.</summary>
    public static byte[] ReadMaybeGzip(string path)
    {
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new VolumeFormatException($"{path}: file not found"); }
        catch (DirectoryNotFoundException) { throw new VolumeFormatException($"{path}: file not found"); }
        return raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b ? Gunzip(path, raw) : raw;
    }

    /// <summary>Decompresses gzip data, turning truncation or corruption into a clear error.</summary>
    public static byte[] Gunzip(string path, byte[] raw)
    {
        try
        {
            using var input = new MemoryStream(raw);
            using var gz = new System.IO.Compression.GZipStream(input, System.IO.Compression.CompressionMode.Decompress);
            using var output = new MemoryStream();
            gz.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new VolumeFormatException($"{path}: gzip stream: expected a complete gzip stream, found truncated or corrupt data ({e.Message})", e);
        }
    }
}
