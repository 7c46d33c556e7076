using System.Buffers.Binary;
using System.IO.Compression;
using Dggrn.Model.Pipeline;
using Dggrn.Model.Checksums;

namespace Dggrn.Model.Imaging;

/// <summary>Minimal PNG writer: 8-bit grayscale, no interlace, filter 0 per row (spec: https://www.w3.org/TR/png/).</summary>
public static class PngEncoder
{

    /// <summary>Encodes <paramref name="img"/>, mapping [0, 1] to 0..255 (values outside are clipped).</summary>
    public static byte[] Encode(Image2D img)
    {
        var pixels = new byte[img.Data.Length];
        for (int n = 0; n < pixels.Length; n++) pixels[n] = (byte)Math.Round(Math.Clamp(img.Data[n], 0, 1) * 255);
        return Encode(pixels, img.Width, img.Height);
    }

    /// <summary>Encodes row-major 8-bit grayscale pixels.</summary>
    public static byte[] Encode(byte[] pixels, int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 0; // colour type: grayscale
        Chunk(png, "IHDR", ihdr);
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
            for (int r = 0; r < height; r++) { zs.WriteByte(0); zs.Write(pixels, r * width, width); }
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        uint crc = Crc32.Finish(Crc32.Append(Crc32.Append(Crc32.Start, typeBytes), data));
        BinaryPrimitives.WriteUInt32BigEndian(len, crc);
        s.Write(len);
    }
}
