using System.Buffers.Binary;
using System.IO.Compression;
using Dggrn.Model.Imaging;
using Dggrn.Model.Pipeline;
using Xunit;

namespace Dggrn.Model.Tests;

public sealed class PngAndExamplesTests
{
    [Fact]
    public void PngHasSignatureHeaderAndDecodablePixels()
    {
        var img = new Image2D(2, 3, [0, 0.5, 1, 1.2, -0.1, 0.25]);
        var png = PngEncoder.Encode(img);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(8)));
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal(8, png[24]);
        Assert.Equal(0, png[25]);
        // The IEND chunk has no data, so its CRC is the fixed CRC-32 of "IEND": 0xAE426082.
        Assert.Equal(new byte[] { 0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82 }, png[^12..]);
        // IDAT follows IHDR (8 + 4 + 4 + 13 + 4 = 33): inflate it and read rows, each led by filter byte 0.
        int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        Assert.Equal("IDAT"u8.ToArray(), png[37..41]);
        using var z = new ZLibStream(new MemoryStream(png, 41, len), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        // round(0.5 * 255) = 128 (away from zero: 127.5), clipping for 1.2 and -0.1, round(0.25 * 255) = 64.
        Assert.Equal(new byte[] { 0, 0, 128, 255, 0, 255, 0, 64 }, raw.ToArray());
    }

    [Fact]
    public void ElasticPatchesAreDeterministicDifferentAndStillRegistered()
    {
        var hr = new Image2D(24, 24);
        for (int r = 0; r < 24; r++) for (int c = 0; c < 24; c++) hr[r, c] = 0.5 + 0.4 * Math.Sin(r * 0.5) * Math.Cos(c * 0.6);
        var pair = new SlicePair(0, 2, 0, hr, Degradation.Degrade(hr, 2));
        var plain = new PatchSampler([pair], 2, 6, 3, 5, augment: false, 0);
        var warped = new PatchSampler([pair], 2, 6, 3, 5, augment: false, 1.0);
        var order = Enumerable.Range(0, plain.Count).ToArray();
        float[] l1 = new float[4 * 36], h1 = new float[4 * 144], l2 = new float[4 * 36], h2 = new float[4 * 144], l3 = new float[4 * 36], h3 = new float[4 * 144];
        plain.Fill(order, 1, 0, 4, l1, h1);
        warped.Fill(order, 1, 0, 4, l2, h2);
        warped.Fill(order, 1, 0, 4, l3, h3);
        Assert.NotEqual(h1, h2);
        Assert.Equal(h2, h3);
        // Smooth field of at most 2 px: values move, but not by more than the image's local variation allows.
        Assert.True(h1.Zip(h2).Max(p => Math.Abs(p.First - p.Second)) < 0.8);
        // LR is the degradation of the warped HR (interior pixels).
        var t = Degradation.GaussianTaps();
        for (int b = 0; b < 4; b++)
            for (int y = 1; y < 6; y++)
                for (int x = 1; x < 6; x++)
                {
                    double acc = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++) acc += t[dy + 1] * t[dx + 1] * h2[b * 144 + (2 * y + dy) * 12 + 2 * x + dx];
                    Assert.InRange(l2[b * 36 + y * 6 + x] - acc, -1e-5, 1e-5);
                }
    }
}
