using System.Buffers.Binary;
using Dggrn.Model.Checksums;

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
        var raw = ReadFile(path);
        return raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b ? Gunzip(path, raw) : raw;
    }

    /// <summary>Reads a whole file; a missing, unreadable or oversized one becomes a <see cref="VolumeFormatException"/>.</summary>
    /// <param name="path">File to read.</param>
    /// <param name="what">How errors name it (default: the path itself), e.g. "a.nhdr: data file".</param>
    public static byte[] ReadFile(string path, string? what = null)
    {
        var name = what is null ? path : $"{what} '{path}'";
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw Directory.Exists(path) ? new VolumeFormatException($"{name}: expected a readable file, found a directory")
                    : new VolumeFormatException(what is null ? $"{path}: file not found" : $"{what}: expected an existing file, found '{path}' is missing");
            // Read exactly the size the file system reports: a device named as a volume (/dev/zero) then reads as empty
            // instead of growing until memory runs out.
            long length = info.Length;
            if (length > Array.MaxLength)
                throw new VolumeFormatException($"{name}: size: expected at most {Array.MaxLength} bytes, found {length} bytes");
            var bytes = new byte[length];
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            f.ReadExactly(bytes);
            return bytes;
        }
        catch (UnauthorizedAccessException) { throw new VolumeFormatException($"{name}: expected a readable file, found no read permission"); }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException)
        { throw new VolumeFormatException($"{name}: expected a readable file, found {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", e); }
    }

    /// <summary>Decompresses gzip data, turning truncation or corruption into a clear error.</summary>
    /// <remarks>GZipStream stops quietly at the end of its input, so a stream cut off inside its deflate data or its
    /// 8-byte trailer would decode to a short result. The last member's trailer (CRC-32, length mod 2^32) is therefore
    /// checked against the output; for a multi-member file (bgzip) that check covers the last member only, and the sizes
    /// the header declares catch the rest.</remarks>
    public static byte[] Gunzip(string path, byte[] raw)
    {
        byte[] result;
        try
        {
            using var input = new MemoryStream(raw);
            using var gz = new System.IO.Compression.GZipStream(input, System.IO.Compression.CompressionMode.Decompress);
            using var output = new MemoryStream();
            gz.CopyTo(output);
            result = output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or NotSupportedException)
        {
            throw new VolumeFormatException($"{path}: gzip stream: expected a complete gzip stream of {raw.Length} bytes, found truncated or corrupt data ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        if (raw.Length < 18)
            throw new VolumeFormatException($"{path}: gzip stream: expected at least 18 bytes (header and trailer), found {raw.Length} bytes (cut off)");
        uint isize = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 4));
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 8));
        if (isize == (uint)result.Length && crc == Crc32.Compute(result)) return result;
        // Multi-member: the trailer belongs to the last member; accept when it matches some suffix of the output.
        if (isize < (uint)result.Length && isize <= int.MaxValue && crc == Crc32.Compute(result.AsSpan(result.Length - (int)isize))) return result;
        throw new VolumeFormatException($"{path}: gzip stream: expected a complete gzip stream (trailer: {isize} bytes, CRC {crc:x8}), " +
            $"found {result.Length} bytes decoded (CRC {Crc32.Compute(result):x8}): the file is cut off or corrupt");
    }
}
