using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using CsCheck;
using Dggrn.Model.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Dggrn.Model.Tests;

/// <summary>Property-based tests (CsCheck) over the NIfTI and NRRD readers: random valid files round-trip exactly, and
/// random damage to them only ever ends in <see cref="VolumeFormatException"/> with a one-line message.</summary>
/// <remarks>The files are written here from the format specifications (nifti1.h offsets, the NRRD text header), not with
/// the product's writer. Volumes are tiny so each property runs its cases in about a second.</remarks>
public sealed class VolumeFuzzTests(ITestOutputHelper output)
{
    /// <summary>Generated cases per property (four properties: at least 40,000 cases per run).</summary>
    const int Cases = 10_000;

    /// <summary>A scalar type as both formats name it.</summary>
    sealed record TypeInfo(short NiftiCode, string NrrdName, int Size, string Name);

    static readonly TypeInfo[] Types =
    [
        new(2, "uchar", 1, "uint8"), new(256, "signed char", 1, "int8"), new(4, "short", 2, "int16"), new(512, "ushort", 2, "uint16"),
        new(8, "int", 4, "int32"), new(768, "uint", 4, "uint32"), new(1024, "longlong", 8, "int64"), new(1280, "ulonglong", 8, "uint64"),
        new(16, "float", 4, "float32"), new(64, "double", 8, "float64"),
    ];

    /// <summary>A valid volume file to write: type, byte order, sizes, extra frames, gzip, NIfTI scaling, voxel seed.</summary>
    sealed record Case(TypeInfo Type, bool Big, int Nx, int Ny, int Nz, int Frames, bool Gzip, float Slope, float Inter, int Seed)
    {
        public int Count => Nx * Ny * Nz;
    }

    static readonly Gen<Case> ValidCase =
        from type in Gen.OneOf(Types)
        from big in Gen.Bool
        from nx in Gen.Int[2, 5]
        from ny in Gen.Int[2, 5]
        from nz in Gen.Int[2, 4]
        from frames in Gen.Int[1, 2]
        from gzip in Gen.Bool
        from scaling in Gen.OneOf((1f, 0f), (0f, 0f), (2.5f, 0f), (-0.5f, 10f), (1f, -3f))
        from seed in Gen.Int
        select new Case(type, big, nx, ny, nz, frames, gzip, scaling.Item1, scaling.Item2, seed);

    /// <summary>Raw stored elements (all frames) and the values frame 0 must decode to before scaling.</summary>
    static (byte[] Raw, double[] Values) Elements(Case c)
    {
        var rng = new Random(c.Seed);
        int n = c.Count * c.Frames, size = c.Type.Size;
        var raw = new byte[n * size];
        var values = new double[c.Count];
        for (int i = 0; i < n; i++)
        {
            var e = raw.AsSpan(i * size, size);
            double v;
            while (true)
            {
                rng.NextBytes(e);
                // Floats must be finite, also after NIfTI scaling (non-finite voxels are refused); re-draw until they are.
                v = Decode(e, c.Type.Name, c.Big);
                if (double.IsFinite(v) && double.IsFinite(v * c.Slope + c.Inter)) break;
            }
            if (i < c.Count) values[i] = v;
        }
        return (raw, values);
    }

    /// <summary>Independent decoding of one element, per type name and byte order.</summary>
    static double Decode(ReadOnlySpan<byte> e, string type, bool big)
    {
        Span<byte> le = stackalloc byte[e.Length];
        e.CopyTo(le);
        if (big) le.Reverse();
        return type switch
        {
            "uint8" => le[0],
            "int8" => (sbyte)le[0],
            "int16" => BitConverter.ToInt16(le),
            "uint16" => BitConverter.ToUInt16(le),
            "int32" => BitConverter.ToInt32(le),
            "uint32" => BitConverter.ToUInt32(le),
            "int64" => BitConverter.ToInt64(le),
            "uint64" => BitConverter.ToUInt64(le),
            "float32" => BitConverter.ToSingle(le),
            _ => BitConverter.ToDouble(le),
        };
    }

    static byte[] Gzip(byte[] b)
    {
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Fastest)) z.Write(b);
        return ms.ToArray();
    }

    /// <summary>A NIfTI-1 single file (352-byte header block, data at 352), optionally gzip-compressed.</summary>
    static byte[] NiftiFile(Case c, byte[] raw)
    {
        var b = new byte[352 + raw.Length];
        void I16(int o, short v) { if (c.Big) BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(o), v); else BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(o), v); }
        void F32(int o, float v) { if (c.Big) BinaryPrimitives.WriteSingleBigEndian(b.AsSpan(o), v); else BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(o), v); }
        if (c.Big) BinaryPrimitives.WriteInt32BigEndian(b, 348); else BinaryPrimitives.WriteInt32LittleEndian(b, 348);
        I16(40, (short)(c.Frames > 1 ? 4 : 3));
        I16(42, (short)c.Nx); I16(44, (short)c.Ny); I16(46, (short)c.Nz); I16(48, (short)c.Frames);
        I16(70, c.Type.NiftiCode); I16(72, (short)(8 * c.Type.Size));
        F32(80, 1); F32(84, 1); F32(88, 1);
        F32(108, 352); F32(112, c.Slope); F32(116, c.Inter);
        "n+1\0"u8.CopyTo(b.AsSpan(344));
        raw.CopyTo(b, 352);
        return c.Gzip ? Gzip(b) : b;
    }

    /// <summary>An attached NRRD (text header, blank line, raw or gzip data).</summary>
    static byte[] NrrdFile(Case c, byte[] raw)
    {
        var h = new StringBuilder("NRRD0004\n# fuzz\n");
        h.Append($"type: {c.Type.NrrdName}\n");
        h.Append(c.Frames > 1 ? $"dimension: 4\nsizes: {c.Nx} {c.Ny} {c.Nz} {c.Frames}\n" : $"dimension: 3\nsizes: {c.Nx} {c.Ny} {c.Nz}\n");
        if (c.Type.Size > 1 || c.Seed % 2 == 0) h.Append(c.Big ? "endian: big\n" : "endian: little\n");
        h.Append("spacings: 1 1 1\n");
        h.Append(c.Gzip ? "encoding: gzip\n\n" : "encoding: raw\n\n");
        return [.. Encoding.ASCII.GetBytes(h.ToString()), .. c.Gzip ? Gzip(raw) : raw];
    }

    /// <summary>Reads NIfTI bytes the way <see cref="NiftiReader.Read"/> reads a file, without touching the disk.</summary>
    static Volume ReadNifti(string path, byte[] file) =>
        NiftiReader.Parse(path, file.Length >= 2 && file[0] == 0x1f && file[1] == 0x8b ? VoxelDecoder.Gunzip(path, file) : file);

    int refused;

    void Run(Gen<(Case, int[])> gen, Action<Case, int[]> property, string what)
    {
        var clock = Stopwatch.StartNew();
        int count = 0;
        gen.Sample((c, m) => { property(c, m); Interlocked.Increment(ref count); }, iter: Cases);
        output.WriteLine($"{what}: {count} cases in {clock.Elapsed.TotalSeconds:F2} s, {refused} refused with a format error");
        Assert.Equal(Cases, count);
    }

    static readonly Gen<(Case, int[])> ValidOnly = ValidCase.Select(c => (c, Array.Empty<int>()));

    [Fact]
    public void ValidNiftiFilesRoundTripExactly() => Run(ValidOnly, (c, _) =>
    {
        var (raw, values) = Elements(c);
        var v = ReadNifti("fuzz.nii", NiftiFile(c, raw));
        Assert.Equal((c.Nx, c.Ny, c.Nz), (v.Nx, v.Ny, v.Nz));
        Assert.Equal(c.Type.Name, v.DataType);
        bool scaled = c.Slope != 0 && !(c.Slope == 1 && c.Inter == 0);
        var expected = scaled ? values.Select(x => x * c.Slope + c.Inter).ToArray() : values;
        Assert.Equal(expected, v.Data);
    }, "NIfTI round trip");

    [Fact]
    public void ValidNrrdFilesRoundTripExactly() => Run(ValidOnly, (c, _) =>
    {
        var (raw, values) = Elements(c);
        var v = NrrdReader.Parse("/nonexistent-fuzz/fuzz.nrrd", NrrdFile(c, raw));
        Assert.Equal((c.Nx, c.Ny, c.Nz), (v.Nx, v.Ny, v.Nz));
        Assert.Equal(c.Type.Name, v.DataType);
        Assert.Equal(values, v.Data);
    }, "NRRD round trip");

    /// <summary>Up to four damage operations, each three integers: kind, position, value.</summary>
    static readonly Gen<(Case, int[])> Damaged =
        from c in ValidCase
        from ops in Gen.Int[1, 4]
        from m in Gen.Int[0, int.MaxValue].Array[3 * ops]
        select (c, m);

    static readonly short[] InterestingInt16 = [0, -1, 1, 2, 3, 4, 7, 8, 16, 32, 64, 348, 352, 32767, -32768];
    static readonly float[] InterestingFloat = [0, -1, 1, 351, 352, 353, 1e9f, -1e9f, float.NaN, float.PositiveInfinity, float.Epsilon, 3e38f];

    /// <summary>Applies NIfTI damage: cut, flip, insert, delete, append, or overwrite a header field with an edge value.</summary>
    static byte[] DamageNifti(byte[] b, int[] m, bool big)
    {
        var list = new List<byte>(b);
        for (int k = 0; k + 2 < m.Length; k += 3)
        {
            int kind = m[k] % 8, pos = list.Count == 0 ? 0 : m[k + 1] % list.Count, val = m[k + 2];
            switch (kind)
            {
                case 0: list.RemoveRange(pos, list.Count - pos); break;
                case 1: if (list.Count > 0) list[pos] = (byte)val; break;
                case 2: list.InsertRange(pos, BitConverter.GetBytes(val)[..(1 + val % 4)]); break;
                case 3: list.RemoveRange(pos, Math.Min(1 + val % 16, list.Count - pos)); break;
                case 4: list.AddRange(BitConverter.GetBytes(val)); break;
                default:
                {
                    // A header field: sizeof_hdr, dim[0..7], datatype, bitpix, pixdim, vox_offset, scl_slope/inter, magic.
                    int[] shorts = [40, 42, 44, 46, 48, 50, 52, 54, 70, 72];
                    int[] floats = [80, 84, 88, 108, 112, 116];
                    var arr = list.ToArray();
                    if (arr.Length < 348) break;
                    if (kind == 5)
                    {
                        var o = shorts[val % shorts.Length];
                        var v = InterestingInt16[(val / 16) % InterestingInt16.Length];
                        if (big) BinaryPrimitives.WriteInt16BigEndian(arr.AsSpan(o), v); else BinaryPrimitives.WriteInt16LittleEndian(arr.AsSpan(o), v);
                    }
                    else if (kind == 6)
                    {
                        var o = floats[val % floats.Length];
                        var v = InterestingFloat[(val / 16) % InterestingFloat.Length];
                        if (big) BinaryPrimitives.WriteSingleBigEndian(arr.AsSpan(o), v); else BinaryPrimitives.WriteSingleLittleEndian(arr.AsSpan(o), v);
                    }
                    else arr[new[] { 0, 1, 2, 3, 344, 345, 346 }[val % 7]] ^= (byte)(1 + val % 255);
                    list = [.. arr];
                    break;
                }
            }
        }
        return [.. list];
    }

    static readonly string[] Tokens =
    [
        "", " ", "-1", "0", "1", "2 2", "2 2 2 2 2", "abc", "99999999999", "2147483647", "1e9", "NaN", "(1,2", "(nan,0,0)", "big",
        "little", "middle", "gzip", "raw", "bzip2", "hex", "LIST", "%d", "../x.raw", "/dev/zero", "/tmp", "block", "float", "ushort",
        "65535 65535 65535", "-1 2 2", "3 3", "\t", "\u00e9",
    ];

    static readonly string[] Keys = ["type", "dimension", "sizes", "endian", "encoding", "spacings", "space directions", "byte skip", "line skip", "data file", "kinds"];

    /// <summary>Applies NRRD damage: edit a header line (value, key, drop, repeat), or damage bytes like NIfTI.</summary>
    static byte[] DamageNrrd(byte[] b, int[] m)
    {
        for (int k = 0; k + 2 < m.Length; k += 3)
        {
            int kind = m[k] % 8, val = m[k + 2];
            if (kind < 4)
            {
                int blank = IndexOf(b, "\n\n"u8);
                if (blank < 0) { b = DamageNifti(b, m[k..(k + 3)], false); continue; }
                var lines = Encoding.Latin1.GetString(b, 0, blank).Split('\n').ToList();
                var body = b[(blank + 2)..];
                int line = 1 + m[k + 1] % Math.Max(1, lines.Count - 1);
                if (line >= lines.Count) line = lines.Count - 1;
                var token = Tokens[val % Tokens.Length];
                switch (kind)
                {
                    case 0: lines[line] = lines[line].Split(": ")[0] + ": " + token; break;
                    case 1: lines.Insert(line, Keys[val % Keys.Length] + ": " + token); break;
                    case 2: if (lines.Count > 1) lines.RemoveAt(line); break;
                    default: lines.Insert(line, lines[line]); break;
                }
                b = [.. Encoding.Latin1.GetBytes(string.Join('\n', lines) + "\n\n"), .. body];
            }
            else b = DamageNifti(b, [kind - 4, m[k + 1], val], false);
        }
        return b;
    }

    static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    /// <summary>The property every damaged file must satisfy: a volume that makes sense, or a one-line format error.</summary>
    void LoadsOrRefusesCleanly(string path, Func<Volume> load)
    {
        try
        {
            var v = load();
            Assert.True(v.Nx >= 2 && v.Ny >= 2 && v.Nz >= 2, $"{v.Nx}x{v.Ny}x{v.Nz} accepted");
            Assert.Equal((long)v.Nx * v.Ny * v.Nz, v.Data.LongLength);
            Assert.All(v.Data, x => Assert.True(double.IsFinite(x)));
        }
        catch (VolumeFormatException e)
        {
            Interlocked.Increment(ref refused);
            Assert.StartsWith(path + ": ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.DoesNotContain('\r', e.Message);
        }
    }

    [Fact]
    public void DamagedNiftiFilesOnlyEverThrowTheFormatError() => Run(Damaged, (c, m) =>
    {
        var (raw, _) = Elements(c with { Nx = Math.Min(c.Nx, 3), Ny = Math.Min(c.Ny, 3) });
        var file = NiftiFile(c with { Nx = Math.Min(c.Nx, 3), Ny = Math.Min(c.Ny, 3) }, raw);
        // Damage the compressed bytes half of the time, the uncompressed header and data otherwise.
        var damaged = c.Gzip && m[0] % 2 == 0 ? DamageNifti(file, m, c.Big) : DamageNifti(c.Gzip ? VoxelDecoder.Gunzip("x", file) : file, m, c.Big);
        LoadsOrRefusesCleanly("fuzz.nii", () => ReadNifti("fuzz.nii", damaged));
    }, "damaged NIfTI");

    [Fact]
    public void DamagedNrrdFilesOnlyEverThrowTheFormatError() => Run(Damaged, (c, m) =>
    {
        var (raw, _) = Elements(c);
        var damaged = DamageNrrd(NrrdFile(c, raw), m);
        LoadsOrRefusesCleanly("/nonexistent-fuzz/fuzz.nrrd", () => NrrdReader.Parse("/nonexistent-fuzz/fuzz.nrrd", damaged));
    }, "damaged NRRD");

    /// <summary>Detached NRRD: the header names a data file (raw or gzip) beside it, possibly damaged as well.</summary>
    static string DetachedHeader(Case c, string dataName)
    {
        var h = new StringBuilder("NRRD0004\n");
        h.Append($"type: {c.Type.NrrdName}\n");
        h.Append(c.Frames > 1 ? $"dimension: 4\nsizes: {c.Nx} {c.Ny} {c.Nz} {c.Frames}\n" : $"dimension: 3\nsizes: {c.Nx} {c.Ny} {c.Nz}\n");
        h.Append(c.Big ? "endian: big\n" : "endian: little\n");
        h.Append(c.Gzip ? "encoding: gzip\n" : "encoding: raw\n");
        h.Append($"data file: {dataName}\n");
        return h.ToString();
    }

    [Fact]
    public void Files_on_disk_in_every_layout_load_or_refuse_cleanly()
    {
        // Through VolumeLoader and the file system: .nii, .nii.gz, attached .nrrd, detached .nhdr + data file; half
        // of them damaged (the header, or for detached files the data file). Fewer cases: disk I/O is the slow part.
        const int FileCases = 1_000;
        var clock = Stopwatch.StartNew();
        var dir = Directory.CreateTempSubdirectory("dggrn-fuzz-files-").FullName;
        try
        {
            int n = 0, loaded = 0;
            Damaged.Sample((c, m) =>
            {
                var id = Interlocked.Increment(ref n);
                var (raw, values) = Elements(c);
                bool damage = m[0] % 2 == 0;
                string path;
                switch (m[0] / 2 % 4)
                {
                    case 0:
                        path = Path.Combine(dir, $"v{id}.nii");
                        var nii = NiftiFile(c with { Gzip = false }, raw);
                        File.WriteAllBytes(path, damage ? DamageNifti(nii, m[1..], c.Big) : nii);
                        break;
                    case 1:
                        path = Path.Combine(dir, $"v{id}.nii.gz");
                        var gz = NiftiFile(c with { Gzip = true }, raw);
                        File.WriteAllBytes(path, damage ? DamageNifti(gz, m[1..], false) : gz);
                        break;
                    case 2:
                        path = Path.Combine(dir, $"v{id}.nrrd");
                        var nrrd = NrrdFile(c, raw);
                        File.WriteAllBytes(path, damage ? DamageNrrd(nrrd, m[1..]) : nrrd);
                        break;
                    default:
                        path = Path.Combine(dir, $"v{id}.nhdr");
                        var data = c.Gzip ? Gzip(raw) : raw;
                        File.WriteAllBytes(Path.Combine(dir, $"v{id}.raw"), damage ? DamageNifti(data, m[1..], false) : data);
                        File.WriteAllText(path, DetachedHeader(c, $"v{id}.raw"));
                        break;
                }
                bool expectValid = !damage;
                try
                {
                    var v = VolumeLoader.Load(path);
                    Interlocked.Increment(ref loaded);
                    if (expectValid)
                    {
                        Assert.Equal((c.Nx, c.Ny, c.Nz), (v.Nx, v.Ny, v.Nz));
                        bool scaled = v.Format == "nifti" && c.Slope != 0 && !(c.Slope == 1 && c.Inter == 0);
                        Assert.Equal(scaled ? values.Select(x => x * c.Slope + c.Inter).ToArray() : values, v.Data);
                    }
                    else Assert.All(v.Data, x => Assert.True(double.IsFinite(x)));
                }
                catch (VolumeFormatException e) when (!expectValid)
                {
                    Assert.StartsWith(path, e.Message);
                    Assert.DoesNotContain('\n', e.Message);
                }
            }, iter: FileCases);
            output.WriteLine($"files on disk: {n} cases in {clock.Elapsed.TotalSeconds:F2} s, {loaded} loaded");
            Assert.Equal(FileCases, n);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
