namespace Dggrn.Model.Checksums;

/// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the checksum of gzip trailers and PNG chunks.</summary>
public static class Crc32
{
    static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Start, data));

    /// <summary>The running value before any byte.</summary>
    public const uint Start = 0xFFFFFFFFu;

    /// <summary>Continues running value <paramref name="crc"/> over <paramref name="data"/> (for checksums over several parts).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The checksum of a running value.</summary>
    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFFu;

    static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }
}
