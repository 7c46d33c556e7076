using System.Globalization;
using System.Text;

namespace Dggrn.Model.Volumes;

/// <summary>Reads NRRD volumes: attached (.nrrd) and detached (.nhdr + data file), raw or gzip encoding, either endian.</summary>
/// <remarks>Spec: https://teem.sourceforge.net/nrrd/format.html. Only 3D (or 4D, first frame) scalar data; "data file: LIST"
/// and multi-file formats are rejected with a clear error. Every malformed header or body ends in a
/// <see cref="VolumeFormatException"/> naming the field and what was found (the fuzz tests hold it to that).</remarks>
public static class NrrdReader
{
    /// <summary>Loads the volume at <paramref name="path"/>.</summary>
    public static Volume Read(string path) => Parse(path, VoxelDecoder.ReadFile(path));

    /// <summary>Parses NRRD bytes; <paramref name="path"/> names the source in errors and locates a detached data file.</summary>
    public static Volume Parse(string path, byte[] file)
    {
        if (file.Length < 8 || Encoding.ASCII.GetString(file, 0, 4) != "NRRD")
            throw VolumeFormatException.Field(path, "magic (byte 0)", "'NRRD000n'",
                file.Length == 0 ? "an empty file" : VolumeFormatException.Quote(Encoding.Latin1.GetString(file, 0, Math.Min(8, file.Length))));
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int pos = 0, dataStart = -1;
        bool first = true;
        while (pos < file.Length)
        {
            int end = Array.IndexOf(file, (byte)'\n', pos);
            if (end < 0) end = file.Length;
            var line = Encoding.Latin1.GetString(file, pos, end - pos).TrimEnd('\r');
            int lineStart = pos;
            pos = end + 1;
            if (first) { first = false; continue; }
            if (line.Length == 0) { dataStart = pos; break; }
            if (line.StartsWith('#') || line.Contains(":=")) continue;
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0) throw VolumeFormatException.Field(path, $"header line at byte {lineStart}", "'field: value'", VolumeFormatException.Quote(line));
            fields[line[..colon].Trim()] = line[(colon + 2)..].Trim();
        }
        string Need(string key) => fields.TryGetValue(key, out var v) ? v : throw VolumeFormatException.Field(path, key, "a value", "no such field");
        int Int(string key, string value, int min)
        {
            if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min) return n;
            throw VolumeFormatException.Field(path, key, $"an integer of at least {min}", VolumeFormatException.Quote(value));
        }

        var type = ParseType(path, Need("type"));
        int dimension = Int("dimension", Need("dimension"), 1);
        if (dimension > 4) throw VolumeFormatException.Field(path, "dimension", "3 or 4 (4D uses the first frame)", dimension.ToString(CultureInfo.InvariantCulture));
        var sizes = Need("sizes").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => Int("sizes", s, 1)).ToArray();
        if (sizes.Length != dimension) throw VolumeFormatException.Field(path, "sizes", $"{dimension} sizes (dimension: {dimension})", $"{sizes.Length}");
        var dims = new int[] { sizes[0], dimension > 1 ? sizes[1] : 1, dimension > 2 ? sizes[2] : 1 };
        VolumeChecks.Require3D(path, "sizes", dims);
        string encoding = Need("encoding").ToLowerInvariant();
        string? endian = fields.TryGetValue("endian", out var en) ? en.ToLowerInvariant() : null;
        if (endian is not (null or "little" or "big")) throw VolumeFormatException.Field(path, "endian", "little or big", VolumeFormatException.Quote(endian));
        bool big = endian == "big";
        int size = VoxelDecoder.Size(type);
        if (size > 1 && endian is null) throw VolumeFormatException.Field(path, "endian", "little or big (required for multi-byte types)", "no such field");

        byte[] payload;
        string? dataFile = fields.TryGetValue("data file", out var df) ? df : fields.TryGetValue("datafile", out var df2) ? df2 : null;
        if (dataFile is not null)
        {
            if (dataFile.StartsWith("LIST", StringComparison.Ordinal) || dataFile.Contains('%') || dataFile.Length == 0)
                throw VolumeFormatException.Field(path, "data file", "a single file name", $"{VolumeFormatException.Quote(dataFile)} (multi-file data is not supported)");
            string dataPath;
            try { dataPath = Path.IsPathRooted(dataFile) ? dataFile : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/", dataFile); }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            { throw VolumeFormatException.Field(path, "data file", "a valid file name", VolumeFormatException.Quote(dataFile)); }
            payload = VoxelDecoder.ReadFile(dataPath, $"{path}: data file");
        }
        else
        {
            if (dataStart < 0) throw VolumeFormatException.Field(path, "header", "a blank line before attached data", "end of file");
            payload = file[dataStart..];
        }
        int lineSkip = fields.TryGetValue("line skip", out var ls) ? Int("line skip", ls, 0) : 0;
        int start = 0;
        for (int n = 0; n < lineSkip && start < payload.Length; n++)
        {
            int nl = Array.IndexOf(payload, (byte)'\n', start);
            start = nl < 0 ? payload.Length : nl + 1;
        }
        if (start > 0) payload = payload[start..];
        payload = encoding switch
        {
            "raw" => payload,
            "gzip" or "gz" => VoxelDecoder.Gunzip(path, payload),
            _ => throw VolumeFormatException.Field(path, "encoding", "raw or gzip", VolumeFormatException.Quote(encoding)),
        };
        long frames = dimension == 4 ? sizes[3] : 1;
        long skip = fields.TryGetValue("byte skip", out var bs) ? Int("byte skip", bs, -1) : 0;
        // Sizes come from the file: check in floating point first so absurd ones cannot overflow the exact arithmetic.
        double plausible = (double)dims[0] * dims[1] * dims[2] * size * frames + Math.Max(skip, 0);
        if (plausible > payload.Length)
            throw VolumeFormatException.Field(path, "data", $"{plausible.ToString("0", CultureInfo.InvariantCulture)} bytes ({string.Join("x", sizes)} x {VoxelDecoder.Name(type)}{(skip > 0 ? $" after {skip} skipped" : "")})",
                $"{payload.Length} bytes (truncated, or sizes larger than the data)");
        long count = (long)dims[0] * dims[1] * dims[2];
        long bytes = count * size;
        if (skip == -1) skip = payload.Length - bytes * frames;
        if (payload.Length > skip + bytes * frames)
            throw VolumeFormatException.Field(path, "data", $"{skip + bytes * frames} bytes ({string.Join("x", sizes)} x {VoxelDecoder.Name(type)}{(skip > 0 ? $" after {skip} skipped" : "")})",
                $"{payload.Length} bytes ({payload.Length - skip - bytes * frames} more than sizes describes)");
        var data = VoxelDecoder.Decode(payload, (int)skip, count, type, big);
        VolumeChecks.RequireFinite(path, data, dims[0], dims[1], size);
        return new Volume(dims[0], dims[1], dims[2], data, Spacing(fields), "nrrd", VoxelDecoder.Name(type));
    }

    /// <summary>Voxel spacing from "spacings" or the lengths of "space directions"; 1 where absent or unreadable.</summary>
    static double[] Spacing(Dictionary<string, string> f)
    {
        var result = new double[] { 1, 1, 1 };
        if (f.TryGetValue("spacings", out var sp))
        {
            var s = sp.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (int a = 0; a < Math.Min(3, s.Length); a++)
                if (double.TryParse(s[a], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)) result[a] = v;
        }
        else if (f.TryGetValue("space directions", out var sd))
        {
            var vecs = sd.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (int a = 0; a < Math.Min(3, vecs.Length); a++)
            {
                if (vecs[a] == "none") continue;
                double norm2 = 0;
                bool ok = true;
                foreach (var c in vecs[a].Trim('(', ')').Split(','))
                    if (double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)) norm2 += x * x; else ok = false;
                double norm = Math.Sqrt(norm2);
                if (ok && norm > 0 && double.IsFinite(norm)) result[a] = norm;
            }
        }
        return result;
    }

    static VoxelType ParseType(string path, string t) => t.ToLowerInvariant() switch
    {
        "signed char" or "int8" or "int8_t" => VoxelType.Int8,
        "uchar" or "unsigned char" or "uint8" or "uint8_t" => VoxelType.UInt8,
        "short" or "short int" or "signed short" or "signed short int" or "int16" or "int16_t" => VoxelType.Int16,
        "ushort" or "unsigned short" or "unsigned short int" or "uint16" or "uint16_t" => VoxelType.UInt16,
        "int" or "signed int" or "int32" or "int32_t" => VoxelType.Int32,
        "uint" or "unsigned int" or "uint32" or "uint32_t" => VoxelType.UInt32,
        "longlong" or "long long" or "long long int" or "signed long long" or "signed long long int" or "int64" or "int64_t" => VoxelType.Int64,
        "ulonglong" or "unsigned long long" or "unsigned long long int" or "uint64" or "uint64_t" => VoxelType.UInt64,
        "float" => VoxelType.Float32,
        "double" => VoxelType.Float64,
        _ => throw VolumeFormatException.Field(path, "type", "a scalar NRRD type (int8..uint64, float, double)", VolumeFormatException.Quote(t)),
    };
}
