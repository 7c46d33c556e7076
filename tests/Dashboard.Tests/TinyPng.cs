using System.IO.Compression;

namespace Dggrn.Dashboard.Tests;

/// <summary>Writes small grayscale PNGs (what the worker stores as example images) without an imaging library.</summary>
public static class TinyPng
{
    /// <summary>A <paramref name="size"/>² 8-bit grayscale PNG filled with a horizontal ramp starting at <paramref name="level"/>.</summary>
    public static byte[] Gray(int size, byte level)
    {
        using var raw = new MemoryStream();
        for (var y = 0; y < size; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < size; x++) raw.WriteByte((byte)((level + x * 255 / size) % 256));
        }
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(zs);

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BigEndian(ihdr, 0, (uint)size);
        BigEndian(ihdr, 4, (uint)size);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 0; // grayscale
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BigEndian(len, 0, (uint)data.Length);
        s.Write(len);
        var body = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(body);
        var crc = new byte[4];
        BigEndian(crc, 0, Crc32(body));
        s.Write(crc);
    }

    static void BigEndian(byte[] b, int at, uint v)
    {
        b[at] = (byte)(v >> 24); b[at + 1] = (byte)(v >> 16); b[at + 2] = (byte)(v >> 8); b[at + 3] = (byte)v;
    }

    // CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as the PNG specification defines it.
    static uint Crc32(byte[] data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            c ^= b;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFFu;
    }
}
