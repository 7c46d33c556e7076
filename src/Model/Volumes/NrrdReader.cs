using System.Globalization;
using System.Text;

namespace Dggrn.Model.Volumes;

/// <summary>Reads NRRD volumes: attached (.nrrd) and detached (.nhdr + data file), raw or gzip encoding, either endian.</summary>
/// <remarks>Spec: https://teem.sourceforge.net/nrrd/format.html. Only 3D (or 4D, first frame) scalar data; "data file: LIST"
/// and multi-file formats are rejected with a clear error.</remarks>
public static class NrrdReader
{
    /// <summary>Loads the volume at <paramref name="path"/>.</summary>
    public static Volume Read(string path)
    {
        byte[] file;
        try { file = File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new VolumeFormatException($"{path}: file not found"); }
        if (file.Length < 8 || Encoding.ASCII.GetString(file, 0, 4) != "NRRD")
            throw VolumeFormatException.Field(path, "magic", "'NRRD000n'", $"'{Encoding.ASCII.GetString(file, 0, Math.Min(8, file.Length))}'");
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int pos = 0, dataStart = -1;
        bool first = true;
        while (pos < file.Length)
        {
            int end = Array.IndexOf(file, (byte)'\n', pos);
            if (end < 0) end = file.Length;
            var line = Encoding.ASCII.GetString(file, pos, end - pos).TrimEnd('\r');
            pos = end + 1;
            if (first) { first = false; continue; }
            if (line.Length == 0) { dataStart = pos; break; }
            if (line.StartsWith('#') || line.Contains(":=")) continue;
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0) throw VolumeFormatException.Field(path, "header line", "'field: value'", $"'{line}'");
            fields[line[..colon].Trim()] = line[(colon + 2)..].Trim();
        }
        string Need(string key) => fields.TryGetValue(key, out var v) ? v : throw VolumeFormatException.Field(path, key, "a value", "no such field");

        var type = ParseType(path, Need("type"));
        int dimension = int.Parse(Need("dimension"), CultureInfo.InvariantCulture);
        var sizes = Need("sizes").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (sizes.Length != dimension) throw VolumeFormatException.Field(path, "sizes", $"{dimension} sizes", $"{sizes.Length}");
        if (dimension < 2 || dimension > 4) throw VolumeFormatException.Field(path, "dimension", "2, 3 or 4 (4D uses the first frame)", dimension.ToString());
        var dims = new int[] { sizes[0], sizes[1], dimension > 2 ? sizes[2] : 1 };
        string encoding = Need("encoding").ToLowerInvariant();
        bool big = fields.TryGetValue("endian", out var endian) && endian.Equals("big", StringComparison.OrdinalIgnoreCase);
        if (VoxelDecoder.Size(type) > 1 && endian is null) throw VolumeFormatException.Field(path, "endian", "little or big (required for multi-byte types)", "no such field");

        byte[] payload;
        string? dataFile = fields.TryGetValue("data file", out var df) ? df : fields.TryGetValue("datafile", out var df2) ? df2 : null;
        if (dataFile is not null)
        {
            if (dataFile.StartsWith("LIST", StringComparison.Ordinal) || dataFile.Contains('%'))
                throw VolumeFormatException.Field(path, "data file", "a single file name", $"'{dataFile}' (multi-file data is not supported)");
            var dataPath = Path.IsPathRooted(dataFile) ? dataFile : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataFile);
            try { payload = File.ReadAllBytes(dataPath); }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            { throw VolumeFormatException.Field(path, "data file", "an existing file", $"'{dataPath}' is missing"); }
        }
        else
        {
            if (dataStart < 0) throw VolumeFormatException.Field(path, "header", "a blank line before attached data", "end of file");
            payload = file[dataStart..];
        }
        int lineSkip = fields.TryGetValue("line skip", out var ls) ? int.Parse(ls, CultureInfo.InvariantCulture) : 0;
        for (int n = 0; n < lineSkip; n++) { int nl = Array.IndexOf(payload, (byte)'\n'); payload = nl < 0 ? [] : payload[(nl + 1)..]; }
        payload = encoding switch
        {
            "raw" => payload,
            "gzip" or "gz" => VoxelDecoder.Gunzip(path, payload),
            _ => throw VolumeFormatException.Field(path, "encoding", "raw or gzip", encoding),
        };
        long count = (long)dims[0] * dims[1] * dims[2];
        long bytes = count * VoxelDecoder.Size(type);
        int skip = fields.TryGetValue("byte skip", out var bs) ? int.Parse(bs, CultureInfo.InvariantCulture) : 0;
        if (skip == -1) skip = (int)(payload.Length - bytes * (dimension == 4 ? sizes[3] : 1));
        if (skip < 0 || payload.Length < skip + bytes)
            throw VolumeFormatException.Field(path, "data", $"{skip + bytes} bytes ({count} x {VoxelDecoder.Name(type)})", $"{payload.Length} bytes (truncated)");
        var data = VoxelDecoder.Decode(payload, skip, count, type, big);
        return new Volume(dims[0], dims[1], dims[2], data, Spacing(fields), "nrrd", VoxelDecoder.Name(type));
    }

    static double[] Spacing(Dictionary<string, string> f)
    {
        var result = new double[] { 1, 1, 1 };
        if (f.TryGetValue("spacings", out var sp))
        {
            var s = sp.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (int a = 0; a < Math.Min(3, s.Length); a++)
                if (double.TryParse(s[a], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0) result[a] = v;
        }
        else if (f.TryGetValue("space directions", out var sd))
        {
            var vecs = sd.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (int a = 0; a < Math.Min(3, vecs.Length); a++)
            {
                if (vecs[a] == "none") continue;
                var comps = vecs[a].Trim('(', ')').Split(',').Select(c => double.Parse(c, CultureInfo.InvariantCulture));
                double norm = Math.Sqrt(comps.Sum(c => c * c));
                if (norm > 0) result[a] = norm;
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
        _ => throw VolumeFormatException.Field(path, "type", "a scalar NRRD type (int8..uint64, float, double)", $"'{t}'"),
    };
}
