using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Dggrn.Model.Volumes;
using Dggrn.Tests.Common;
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
        // 2x2x2 int16 big-endian values 1, -2, 300, 4, 0, 2, -20, 6; slope 0.5, inter 10 -> 10.5, 9, 160, 12, 10, 11, 0, 13.
        var payload = new byte[16];
        short[] raw = [1, -2, 300, 4, 0, 2, -20, 6];
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt16BigEndian(payload.AsSpan(2 * i), raw[i]);
        var v = NiftiReader.Read(Save("be.nii", Nifti(true, 4, 16, [2, 2, 2], 0.5f, 10f, payload)));
        Assert.Equal((2, 2, 2), (v.Nx, v.Ny, v.Nz));
        Assert.Equal(new[] { 10.5, 9, 160, 12, 10, 11, 0, 13 }, v.Data);
        Assert.Equal(new[] { 1.5, 2, 3 }, v.VoxelSize);
        Assert.Equal("int16", v.DataType);
    }

    [Fact]
    public void FourDimensionalGzipUsesTheFirstFrame()
    {
        // 2x2x2x2 float32: frame 0 = 0.25 .. 2 in steps of 0.25; frame 1 = 100 .. 107. Slope 0 means "no scaling".
        var payload = new byte[64];
        for (int i = 0; i < 16; i++) BinaryPrimitives.WriteSingleLittleEndian(payload.AsSpan(4 * i), i < 8 ? 0.25f * (i + 1) : 92 + i);
        var v = VolumeLoader.Load(Save("four.nii.gz", Nifti(false, 16, 32, [2, 2, 2, 2], 0, 0, payload), gzip: true));
        Assert.Equal(new[] { 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2 }, v.Data);
    }

    [Theory]
    [InlineData((short)2, new byte[] { 200, 7 }, new double[] { 200, 7 })]
    [InlineData((short)8, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 5, 0, 0, 0 }, new double[] { -1, 5 })]
    [InlineData((short)64, new byte[] { 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0xC0 }, new double[] { 1.5, -2 })]
    public void OtherDataTypes(short datatype, byte[] pair, double[] expected)
    {
        // The two-voxel pattern repeated to fill a 2x2x2 volume.
        byte[] payload = [.. pair, .. pair, .. pair, .. pair];
        var v = NiftiReader.Read(Save($"t{datatype}.nii", Nifti(false, datatype, 8, [2, 2, 2], 1, 0, payload)));
        Assert.Equal([.. expected, .. expected, .. expected, .. expected], v.Data);
    }

    [Fact]
    public void TruncatedAndCorruptFilesGiveClearErrors()
    {
        var full = Nifti(false, 4, 16, [4, 4, 4], 1, 0, new byte[128]);
        var e = Assert.Throws<VolumeFormatException>(() => NiftiReader.Read(Save("cut.nii", full[..300])));
        Assert.EndsWith("cut.nii: header: expected at least 348 bytes, found 300 bytes (truncated)", e.Message);
        e = Assert.Throws<VolumeFormatException>(() => NiftiReader.Read(Save("short.nii", full[..400])));
        Assert.EndsWith("short.nii: voxel data: expected 480 bytes (offset 352 + 4x4x4 x int16), found 400 bytes (truncated, or dim[] larger than the data)", e.Message);
        var bad = (byte[])full.Clone();
        BinaryPrimitives.WriteInt16LittleEndian(bad.AsSpan(70), 32); // complex64
        e = Assert.Throws<VolumeFormatException>(() => NiftiReader.Read(Save("cx.nii", bad)));
        Assert.EndsWith("cx.nii: datatype (byte 70): expected one of 2,4,8,16,64,256,512,768,1024,1280 (scalar types), found 32", e.Message);
        e = Assert.Throws<VolumeFormatException>(() => NiftiReader.Read(Save("junk.nii", new byte[400])));
        Assert.EndsWith("junk.nii: sizeof_hdr (byte 0): expected 348 (NIfTI-1), found 0", e.Message);
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
        var header = "NRRD0004\n# comment\ntype: short\ndimension: 3\nsizes: 2 2 2\nspace directions: (0.5,0,0) (0,2,0) (0,0,3)\nkey:=value\nendian: big\nencoding: raw\n\n";
        var data = new byte[16];
        short[] raw = [-3, 4, 500, 6, 7, 8, -9, 10];
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt16BigEndian(data.AsSpan(2 * i), raw[i]);
        var v = VolumeLoader.Load(Save("a.nrrd", [.. Encoding.ASCII.GetBytes(header), .. data]));
        Assert.Equal(new double[] { -3, 4, 500, 6, 7, 8, -9, 10 }, v.Data);
        Assert.Equal(new[] { 0.5, 2, 3 }, v.VoxelSize);
        Assert.Equal("nrrd", v.Format);
    }

    [Fact]
    public void NrrdDetachedGzipLittleEndian()
    {
        var data = new byte[48];
        for (int i = 0; i < 12; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), 0.5f + i);
        Save("d.raw.gz", data, gzip: true);
        var v = VolumeLoader.Load(Save("d.nhdr", Encoding.ASCII.GetBytes("NRRD0005\ntype: float\ndimension: 3\nsizes: 3 2 2\nspacings: 1.2 1 1\nendian: little\nencoding: gzip\ndata file: d.raw.gz\n")));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => 0.5 + i), v.Data);
        Assert.Equal(1.2, v.VoxelSize[0]);
        var e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(Save("m.nhdr", Encoding.ASCII.GetBytes("NRRD0005\ntype: float\ndimension: 3\nsizes: 3 2 2\nendian: little\nencoding: raw\ndata file: missing.raw\n"))));
        Assert.EndsWith($"m.nhdr: data file: expected an existing file, found '{Path.Combine(dir, "missing.raw")}' is missing", e.Message);
        e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(Save("t.nhdr", Encoding.ASCII.GetBytes("NRRD0005\ntype: float\ndimension: 3\nsizes: 9 2 2\nendian: little\nencoding: raw\ndata file: d.raw.gz\n"))));
        Assert.Contains("t.nhdr: data: expected 144 bytes (9x2x2 x float32)", e.Message);
    }

    [Fact]
    public void NrrdByteSkipLineSkipAndFourDimensions()
    {
        // Detached raw uint8 with one text line and 2 junk bytes before the data; 4D (2x2x2x2) keeps the first frame.
        Save("s.raw", [.. "junk line\n"u8.ToArray(), 0xEE, 0xEE, 9, 8, 7, 6, 5, 4, 3, 2, 90, 80, 70, 60, 50, 40, 30, 20]);
        var v = VolumeLoader.Load(Save("s.nhdr", Encoding.ASCII.GetBytes("NRRD0004\ntype: uchar\ndimension: 4\nsizes: 2 2 2 2\nencoding: raw\nline skip: 1\nbyte skip: 2\ndata file: s.raw\n")));
        Assert.Equal(new double[] { 9, 8, 7, 6, 5, 4, 3, 2 }, v.Data);
        // byte skip -1: the data are the last bytes of the file.
        Save("e.raw", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        v = VolumeLoader.Load(Save("e.nhdr", Encoding.ASCII.GetBytes("NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\nbyte skip: -1\ndata file: e.raw\n")));
        Assert.Equal(new double[] { 3, 4, 5, 6, 7, 8, 9, 10 }, v.Data);
        var e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(Save("x.nrrd", Encoding.ASCII.GetBytes("NRRD0004\ntype: short\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n\n\0\0"))));
        Assert.EndsWith("x.nrrd: endian: expected little or big (required for multi-byte types), found no such field", e.Message);
        e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(Save("y.nrrd", Encoding.ASCII.GetBytes("NRRD0004\ntype: block\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n\n\0"))));
        Assert.EndsWith("y.nrrd: type: expected a scalar NRRD type (int8..uint64, float, double), found 'block'", e.Message);
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

    // ---- Bad input (issue 9): every case is one line naming the file, the field or byte, expected and found. ----

    static byte[] Float32s(params float[] values)
    {
        var b = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
        return b;
    }

    static byte[] Nrrd(string header, byte[] data) => [.. Encoding.ASCII.GetBytes(header), .. data];

    const string Short222 = "NRRD0004\ntype: short\ndimension: 3\nsizes: 2 2 2\nendian: little\nencoding: raw\n\n";

    /// <summary>The message of the format exception loading <paramref name="path"/> throws; it must be exactly one line.</summary>
    static string Refusal(string path)
    {
        var e = Assert.Throws<VolumeFormatException>(() => VolumeLoader.Load(path));
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        return e.Message;
    }

    [Fact]
    public void BadNiftiFilesAreRefusedWithFieldExpectedAndFound()
    {
        var good = Nifti(false, 4, 16, [2, 2, 2], 1, 0, new byte[16]);
        Assert.Equal($"{Save("empty.nii", [])}: header: expected at least 348 bytes, found an empty file", Refusal(Path.Combine(dir, "empty.nii")));

        var magic = (byte[])good.Clone();
        "ab\n\0"u8.CopyTo(magic.AsSpan(344));
        var p = Save("magic.nii", magic);
        Assert.Equal($"{p}: magic (byte 344): expected 'n+1', found 'ab\\x0A'", Refusal(p));

        p = Save("extra.nii", [.. good, .. new byte[8]]);
        Assert.Equal($"{p}: voxel data: expected 368 bytes (offset 352 + 2x2x2 x int16), found 376 bytes (8 more than dim[] describes)", Refusal(p));

        p = Save("big.nii", Nifti(false, 4, 16, [200, 200, 200], 1, 0, new byte[16]));
        Assert.Equal($"{p}: voxel data: expected 16000352 bytes (offset 352 + 200x200x200 x int16), found 368 bytes (truncated, or dim[] larger than the data)", Refusal(p));

        var rgb = (byte[])good.Clone();
        BinaryPrimitives.WriteInt16LittleEndian(rgb.AsSpan(70), 128);
        p = Save("rgb.nii", rgb);
        Assert.Equal($"{p}: datatype (byte 70): expected one of 2,4,8,16,64,256,512,768,1024,1280 (scalar types), found 128", Refusal(p));

        p = Save("flat.nii", Nifti(false, 4, 16, [4, 4], 1, 0, new byte[32]));
        Assert.Equal($"{p}: dim[1..3]: expected a 3D volume (3 axes of at least 2 voxels), found 4x4x1 (a 2D image)", Refusal(p));

        // Voxels 3 and 6 are NaN, voxel 5 is +inf; voxel 3 is (1, 1, 0), 12 bytes into the float32 data.
        p = Save("nan.nii", Nifti(false, 16, 32, [2, 2, 2], 1, 0, Float32s(0, 1, 2, float.NaN, 4, float.PositiveInfinity, float.NaN, 7)));
        Assert.Equal($"{p}: voxel data: expected finite values, found 2 NaN and 1 infinite voxel(s), the first at voxel (1, 1, 0), byte 12 of the voxel data", Refusal(p));

        // A finite voxel that scl_slope pushes past double range: 1e300 * 1e30 overflows.
        var huge = new byte[64];
        BinaryPrimitives.WriteDoubleLittleEndian(huge.AsSpan(56), 1e300);
        p = Save("scaled.nii", Nifti(false, 64, 64, [2, 2, 2], 1e30f, 0, huge));
        Assert.Equal($"{p}: voxel data: expected finite values, found 0 NaN and 1 infinite voxel(s), the first at voxel (1, 1, 1), byte 56 of the voxel data", Refusal(p));
    }

    [Fact]
    public void CutOffGzipStreamsAreRefused()
    {
        var full = Nifti(false, 16, 32, [8, 8, 8], 1, 0, Float32s([.. Enumerable.Range(0, 512).Select(i => (float)Math.Sin(i))]));
        var gz = File.ReadAllBytes(Save("whole.nii.gz", full, gzip: true));
        Assert.Equal(512, VolumeLoader.Load(Path.Combine(dir, "whole.nii.gz")).Data.Length);
        // Cut inside the deflate data, inside the 8-byte trailer, and just the last byte.
        foreach (var cut in new[] { gz.Length / 2, gz.Length - 6, gz.Length - 1, 12 })
        {
            var p = Save($"cut{cut}.nii.gz", gz[..cut]);
            Assert.StartsWith($"{p}: gzip stream: expected ", Refusal(p));
        }
        // A gzip-encoded NRRD whose attached data stops early.
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Fastest)) z.Write(new byte[16]);
        var data = ms.ToArray();
        var q = Save("cut.nrrd", Nrrd(Short222.Replace("encoding: raw", "encoding: gzip"), data[..(data.Length - 3)]));
        Assert.StartsWith($"{q}: gzip stream: expected ", Refusal(q));
    }

    [Fact]
    public void BadNrrdFilesAreRefusedWithFieldExpectedAndFound()
    {
        var p = Save("empty.nrrd", []);
        Assert.Equal($"{p}: magic (byte 0): expected 'NRRD000n', found an empty file", Refusal(p));
        p = Save("magic.nrrd", Nrrd(Short222.Replace("NRRD0004", "\u0089PNG\r\n\u001a\n"), new byte[16]));
        Assert.Equal($"{p}: magic (byte 0): expected 'NRRD000n', found '?PNG\\x0D\\x0A\\x1A\\x0A'", Refusal(p));
        p = Save("short.nrrd", Nrrd(Short222, new byte[10]));
        Assert.Equal($"{p}: data: expected 16 bytes (2x2x2 x int16), found 10 bytes (truncated, or sizes larger than the data)", Refusal(p));
        p = Save("long.nrrd", Nrrd(Short222, new byte[20]));
        Assert.Equal($"{p}: data: expected 16 bytes (2x2x2 x int16), found 20 bytes (4 more than sizes describes)", Refusal(p));
        p = Save("flat.nrrd", Nrrd("NRRD0004\ntype: uchar\ndimension: 2\nsizes: 4 4\nencoding: raw\n\n", new byte[16]));
        Assert.Equal($"{p}: sizes: expected a 3D volume (3 axes of at least 2 voxels), found 4x4x1 (a 2D image)", Refusal(p));
        p = Save("words.nrrd", Nrrd(Short222.Replace("sizes: 2 2 2", "sizes: 2 two 2"), new byte[16]));
        Assert.Equal($"{p}: sizes: expected an integer of at least 1, found 'two'", Refusal(p));
        p = Save("endian.nrrd", Nrrd(Short222.Replace("endian: little", "endian: middle"), new byte[16]));
        Assert.Equal($"{p}: endian: expected little or big, found 'middle'", Refusal(p));
        p = Save("bzip.nrrd", Nrrd(Short222.Replace("encoding: raw", "encoding: bzip2"), new byte[16]));
        Assert.Equal($"{p}: encoding: expected raw or gzip, found 'bzip2'", Refusal(p));
        p = Save("complex.nrrd", Nrrd(Short222.Replace("type: short", "type: block"), new byte[16]));
        Assert.Equal($"{p}: type: expected a scalar NRRD type (int8..uint64, float, double), found 'block'", Refusal(p));
        // Voxel 7 = (1, 1, 1) is NaN, 56 bytes into the float64 data.
        var doubles = new byte[64];
        BinaryPrimitives.WriteDoubleLittleEndian(doubles.AsSpan(56), double.NaN);
        p = Save("nan.nrrd", Nrrd(Short222.Replace("type: short", "type: double"), doubles));
        Assert.Equal($"{p}: voxel data: expected finite values, found 1 NaN and 0 infinite voxel(s), the first at voxel (1, 1, 1), byte 56 of the voxel data", Refusal(p));
        // A device named as the data file reads as empty instead of filling memory.
        p = Save("dev.nhdr", Encoding.ASCII.GetBytes("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 2\nencoding: raw\ndata file: /dev/zero\n"));
        Assert.Equal($"{p}: data: expected 8 bytes (2x2x2 x uint8), found 0 bytes (truncated, or sizes larger than the data)", Refusal(p));
        p = Save("dir.nhdr", Encoding.ASCII.GetBytes("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 2\nencoding: raw\ndata file: /tmp\n"));
        Assert.Equal($"{p}: data file '/tmp': expected a readable file, found a directory", Refusal(p));
    }

    /// <summary>Runs the built dggrn-worker like `./dggrn data|eval` does.</summary>
    static (int Code, string[] ErrLines) Worker(params string[] args)
    {
        var (code, _, err) = WorkerCli.Run(args);
        return (code, err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void BadVolumesThroughTheCliGiveOneLineAndExitCode2()
    {
        var magic = Save("m.nii", [.. Nifti(false, 4, 16, [2, 2, 2], 1, 0, new byte[16])[..344], .. "xy1\0"u8.ToArray(), .. new byte[20]]);
        var (code, err) = Worker("data", "inspect", magic);
        Assert.Equal(2, code);
        Assert.Equal($"dggrn data: {magic}: magic (byte 344): expected 'n+1', found 'xy1'", Assert.Single(err));

        var flat = Save("f.nrrd", Nrrd("NRRD0004\ntype: uchar\ndimension: 2\nsizes: 4 4\nencoding: raw\n\n", new byte[16]));
        (code, err) = Worker("eval", "--method", "bicubic", "--volume", flat, "--scale", "2");
        Assert.Equal(2, code);
        Assert.Equal($"dggrn eval: {flat}: sizes: expected a 3D volume (3 axes of at least 2 voxels), found 4x4x1 (a 2D image)", Assert.Single(err));

        var nan = Save("n.nrrd", Nrrd("NRRD0004\ntype: float\ndimension: 3\nsizes: 2 2 2\nendian: little\nencoding: raw\n\n", Float32s(1, 2, 3, 4, 5, 6, float.NaN, 8)));
        (code, err) = Worker("train", "--model", "resnet", "--blocks", "1", "--filters", "4", "--scale", "2", "--train", "phantom:seed=1,grid=32x32x32", "--test", nan, "--epochs", "1");
        Assert.Equal(2, code);
        Assert.Equal($"dggrn train: {nan}: voxel data: expected finite values, found 1 NaN and 0 infinite voxel(s), the first at voxel (0, 1, 1), byte 24 of the voxel data", Assert.Single(err));

        // --verbose adds the stack trace below the same first line.
        (code, err) = Worker("data", "inspect", magic, "--verbose");
        Assert.Equal(2, code);
        Assert.Equal($"dggrn data: {magic}: magic (byte 344): expected 'n+1', found 'xy1'", err[0]);
        Assert.Contains(err, l => l.TrimStart().StartsWith("at Dggrn.Model.Volumes.NiftiReader.", StringComparison.Ordinal));
    }
}
