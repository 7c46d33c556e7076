using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Dggrn.Model.Volumes;
using Xunit;

namespace Dggrn.Model.Tests;

public sealed class ReaderTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("dggrn-readers-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A NIfTI-1 file built byte by byte from nifti1.h offsets (independent of the writer under test).</summary>
    static byte[] Nifti(bool big, short datatype, short bitpix, short[] dims, float slope, float inter, byte[] payload)
    {
        var b = new byte[352 + payload.Length];
        void I16(int o, short v) { if (big) BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(o), v); else BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(o), v); }
        void F32(int o, float v) { if (big) BinaryPrimitives.WriteSingleBigEndian(b.AsSpan(o), v); else BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(o), v); }
        if (big) BinaryPrimitives.WriteInt32BigEndian(b, 348); else BinaryPrimitives.WriteInt32LittleEndian(b, 348);
        I16(40, (short)dims.Length);
        for (int i = 0; i < dims.Length; i++) I16(42 + 2 * i, dims[i]);
        I16(70, datatype); I16(72, bitpix);
        F32(80, 1.5f); F32(84, 2f); F32(88, 3f);
        F32(108, 352); F32(112, slope); F32(116, inter);
        Encoding.ASCII.GetBytes("n+1\0").CopyTo(b, 344);
        payload.CopyTo(b, 352);
        return b;
    }

    string Save(string name, byte[] bytes, bool gzip = false)
    {
        var p = Path.Combine(dir, name);
        if (gzip)
        {
            using var f = File.Create(p);
            using var gz = new GZipStream(f, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else File.WriteAllBytes(p, bytes);
        return p;
    }

    [Fact]
    public void BigEndianInt16WithScalingAndVoxelSize()
    {
        // 2x2x1 int16 big-endian values 1, -2, 300, 4; slope 0.5, inter 10 -> 10.5, 9, 160, 12.
        var payload = new byte[8];
        short[] raw = [1, -2, 300, 4];
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteInt16BigEndian(payload.AsSpan(2 * i), raw[i]);
        var v = NiftiReader.Read(Save("be.nii", Nifti(true, 4, 16, [2, 2, 1], 0.5f, 10f, payload)));
        Assert.Equal((2, 2, 1), (v.Nx, v.Ny, v.Nz));
        Assert.Equal(new[] { 10.5, 9, 160, 12 }, v.Data);
        Assert.Equal(new[] { 1.5, 2, 3 }, v.VoxelSize);
        Assert.Equal("int16", v.DataType);
    }

    [Fact]
    public void FourDimensionalGzipUsesTheFirstFrame()
    {
        // 2x1x1x2 float32: frame 0 = 1.25, 2.5; frame 1 = 7, 8. Slope 0 means "no scaling".
        var payload = new byte[16];
        float[] raw = [1.25f, 2.5f, 7, 8];
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteSingleLittleEndian(payload.AsSpan(4 * i), raw[i]);
        var v = VolumeLoader.Load(Save("four.nii.gz", Nifti(false, 16, 32, [2, 1, 1, 2], 0, 0, payload), gzip: true));
        Assert.Equal(new[] { 1.25, 2.5 }, v.Data);
    }

    [Theory]
    [InlineData((short)2, new byte[] { 200, 7 }, new double[] { 200, 7 })]
    [InlineData((short)8, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 5, 0, 0, 0 }, new double[] { -1, 5 })]
    [InlineData((short)64, new byte[] { 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0xC0 }, new double[] { 1.5, -2 })]
    public void OtherDataTypes(short datatype, byte[] payload, double[] expected)
    {
        var v = NiftiReader.Read(Save($"t{datatype}.nii", Nifti(false, datatype, 8, [2, 1, 1], 1, 0, payload)));
        Assert.Equal(expected, v.Data);
    }

    [Fact]
    public void TruncatedAndCorruptFilesGiveClearErrors()
    {
        var full = Nifti(false, 4, 16, [4, 4, 4], 1, 0, new byte[128]);
        var e = Assert.Throws<VolumeFormatException>(() => NiftiReader.Read(Save("cut.nii", full[..300])));
        Assert.Contains("cut.nii: header: expected at least 348 bytes, found 300 bytes", e.Message);
        e = Assert.Throws<VolumeFormatException>(() => NiftiReader.Read(Save("short.nii", full[..400])));
        Assert.Contains("voxel data: expected 480 bytes", e.Message);
        var gz = File.ReadAllBytes(Save("tmp.nii.gz", full, gzip: true));
        e = Assert.Throws<VolumeFormatException>(() => NiftiReader.Read(Save("cutgz.nii.gz", gz[..(gz.Length / 2)])));
        Assert.Contains("cutgz.nii.gz", e.Message);
        var bad = (byte[])full.Clone();
        BinaryPrimitives.WriteInt16LittleEndian(bad.AsSpan(70), 32); // complex64
        e = Assert.Throws<VolumeFormatException>(() => NiftiReader.Read(Save("cx.nii", bad)));
        Assert.Contains("datatype: expected one of", e.Message);
        Assert.Contains("found 32", e.Message);
        e = Assert.Throws<VolumeFormatException>(() => NiftiReader.Read(Save("junk.nii", new byte[400])));
        Assert.Contains("sizeof_hdr: expected 348", e.Message);
    }

    [Fact]
    public void WriterRoundTripsThroughTheReader()
    {
        var v = Phantom.Generate(4, 20, 22, 18);
        var p = Path.Combine(dir, "rt.nii.gz");
        NiftiWriter.Write(p, v);
        var back = NiftiReader.Read(p);
        Assert.Equal((20, 22, 18), (back.Nx, back.Ny, back.Nz));
        Assert.Equal(v.Data.Select(x => (double)(float)x), back.Data);
    }

    [Fact]
    public void NrrdAttachedRawBigEndian()
    {
        var header = "NRRD0004\n# comment\ntype: short\ndimension: 3\nsizes: 2 1 2\nspace directions: (0.5,0,0) (0,2,0) (0,0,3)\nkey:=value\nendian: big\nencoding: raw\n\n";
        var data = new byte[8];
        short[] raw = [-3, 4, 500, 6];
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteInt16BigEndian(data.AsSpan(2 * i), raw[i]);
        var v = VolumeLoader.Load(Save("a.nrrd", [.. Encoding.ASCII.GetBytes(header), .. data]));
        Assert.Equal(new double[] { -3, 4, 500, 6 }, v.Data);
        Assert.Equal(new[] { 0.5, 2, 3 }, v.VoxelSize);
        Assert.Equal("nrrd", v.Format);
    }

    [Fact]
    public void NrrdDetachedGzipLittleEndian()
    {
        var data = new byte[12];
        float[] raw = [0.5f, 1.5f, 2.5f];
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), raw[i]);
        Save("d.raw.gz", data, gzip: true);
        var v = VolumeLoader.Load(Save("d.nhdr", Encoding.ASCII.GetBytes("NRRD0005\ntype: float\ndimension: 3\nsizes: 3 1 1\nspacings: 1.2 1 1\nendian: little\nencoding: gzip\ndata file: d.raw.gz\n")));
        Assert.Equal(new[] { 0.5, 1.5, 2.5 }, v.Data);
        Assert.Equal(1.2, v.VoxelSize[0]);
        var e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(Save("m.nhdr", Encoding.ASCII.GetBytes("NRRD0005\ntype: float\ndimension: 3\nsizes: 3 1 1\nendian: little\nencoding: raw\ndata file: missing.raw\n"))));
        Assert.Contains("data file: expected an existing file", e.Message);
        e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(Save("t.nhdr", Encoding.ASCII.GetBytes("NRRD0005\ntype: float\ndimension: 3\nsizes: 9 1 1\nendian: little\nencoding: raw\ndata file: d.raw.gz\n"))));
        Assert.Contains("data: expected 36 bytes", e.Message);
    }

    [Fact]
    public void NrrdByteSkipLineSkipAndFourDimensions()
    {
        // Detached raw uint8 with one text line and 2 junk bytes before the data; 4D (2x1x1x2) keeps the first frame.
        Save("s.raw", [.. "junk line\n"u8.ToArray(), 0xEE, 0xEE, 9, 8, 7, 6]);
        var v = VolumeLoader.Load(Save("s.nhdr", Encoding.ASCII.GetBytes("NRRD0004\ntype: uchar\ndimension: 4\nsizes: 2 1 1 2\nencoding: raw\nline skip: 1\nbyte skip: 2\ndata file: s.raw\n")));
        Assert.Equal(new double[] { 9, 8 }, v.Data);
        // byte skip -1: the data are the last bytes of the file.
        Save("e.raw", [1, 2, 3, 4, 5]);
        v = VolumeLoader.Load(Save("e.nhdr", Encoding.ASCII.GetBytes("NRRD0004\ntype: uint8\ndimension: 3\nsizes: 3 1 1\nencoding: raw\nbyte skip: -1\ndata file: e.raw\n")));
        Assert.Equal(new double[] { 3, 4, 5 }, v.Data);
        var e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(Save("x.nrrd", Encoding.ASCII.GetBytes("NRRD0004\ntype: short\ndimension: 3\nsizes: 1 1 1\nencoding: raw\n\n\0\0"))));
        Assert.Contains("endian: expected little or big", e.Message);
        e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(Save("y.nrrd", Encoding.ASCII.GetBytes("NRRD0004\ntype: block\ndimension: 3\nsizes: 1 1 1\nencoding: raw\n\n\0"))));
        Assert.Contains("type: expected a scalar NRRD type", e.Message);
    }

    [Fact]
    public void BrainWebRawBytesAndBigEndianShorts()
    {
        var b = Save("v.rawb", [1, 2, 3, 4, 5, 6]);
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, VolumeLoader.Load(b + "?dims=3x2x1").Data);
        var s = Save("v.raws", [0x01, 0x00, 0x00, 0x02]);
        Assert.Equal(new double[] { 256, 2 }, VolumeLoader.Load(s + "?dims=2x1x1").Data);
        Assert.Equal(new double[] { 1, 512 }, VolumeLoader.Load(s + "?dims=2x1x1&endian=little").Data);
        var e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(b));
        Assert.Contains("size: expected 7109137 bytes (181x217x181 uint8), found 6 bytes", e.Message);
    }

    [Fact]
    public void PhantomIsDeterministicAndSeedDependent()
    {
        var a = VolumeLoader.Load("phantom:seed=5,grid=24x26x20");
        var b = VolumeLoader.Load("phantom:seed=5,grid=24x26x20");
        var c = VolumeLoader.Load("phantom:seed=6,grid=24x26x20");
        Assert.Equal(a.Data, b.Data);
        Assert.NotEqual(a.Data, c.Data);
        Assert.Equal((64, 72, 60), (Phantom.DefaultGrid.X, Phantom.DefaultGrid.Y, Phantom.DefaultGrid.Z));
        // T2-like: CSF brightest, background exactly 0 at the corners.
        Assert.Equal(0, a[0, 0, 0]);
        Assert.InRange(a.Data.Max(), 0.9, 1.2);
        var e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load("phantom:grid=8x8x8"));
        Assert.Contains("grid: expected XxYxZ with sizes 16..512", e.Message);
        e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load("phantom:grid=32x32x32"));
        Assert.Contains("seed: expected seed=<integer>", e.Message);
    }

    [Fact]
    public void UnknownExtensionIsRejected()
    {
        var e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load("/x/y.dcm"));
        Assert.Contains("format: expected .nii", e.Message);
        Assert.Contains("found '.dcm'", e.Message);
    }
}
