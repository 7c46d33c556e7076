using System.Globalization;

namespace Dggrn.Model.Volumes;

/// <summary>Reads BrainWeb raw downloads: .rawb (unsigned 8-bit) and .raws (unsigned 16-bit), no header,
/// x fastest, 181 x 217 x 181 unless told otherwise.</summary>
/// <remarks>Options ride on the path as a query: "t2.raws?dims=181x217x181&amp;endian=big". BrainWeb's 16-bit files are
/// big-endian (written on big-endian workstations), so big is the default for .raws.</remarks>
public static class BrainWebRawReader
{
    /// <summary>Loads a BrainWeb raw volume; the file may be gzip-compressed.</summary>
    public static Volume Read(string source)
    {
        var q = source.IndexOf('?');
        var path = q < 0 ? source : source[..q];
        int[] dims = [181, 217, 181];
        bool big = true;
        if (q >= 0)
            foreach (var part in source[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = part.Split('=', 2);
                if (kv.Length == 2 && kv[0] == "dims")
                {
                    var d = kv[1].Split('x');
                    if (d.Length != 3 || !d.All(x => int.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0))
                        throw VolumeFormatException.Field(source, "dims", "XxYxZ positive sizes", kv[1]);
                    dims = d.Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                }
                else if (kv.Length == 2 && kv[0] == "endian" && kv[1] is "big" or "little") big = kv[1] == "big";
                else throw VolumeFormatException.Field(source, "option", "dims=XxYxZ or endian=big|little", $"'{part}'");
            }
        var type = path.EndsWith(".rawb", StringComparison.OrdinalIgnoreCase) ? VoxelType.UInt8 : VoxelType.UInt16;
        var bytes = VoxelDecoder.ReadMaybeGzip(path);
        long count = (long)dims[0] * dims[1] * dims[2], need = count * VoxelDecoder.Size(type);
        if (bytes.Length != need)
            throw VolumeFormatException.Field(path, "size", $"{need} bytes ({dims[0]}x{dims[1]}x{dims[2]} {VoxelDecoder.Name(type)})", $"{bytes.Length} bytes");
        return new Volume(dims[0], dims[1], dims[2], VoxelDecoder.Decode(bytes, 0, count, type, big), [1, 1, 1], "brainweb-raw", VoxelDecoder.Name(type));
    }
}
