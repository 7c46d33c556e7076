using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Dggrn.Model.Training;

/// <summary>Checkpoint bytes: "DGGRNCK1", a JSON <see cref="CheckpointHeader"/>, then the model weights, the Adam state and
/// torch's RNG state, each length-prefixed.</summary>
public static class CheckpointCodec
{
    static readonly byte[] Magic = "DGGRNCK1"u8.ToArray();
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Serialises a training position.</summary>
    public static byte[] Write(CheckpointHeader header, nn.Module model, optim.Optimizer optimizer)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write(Magic);
        var json = JsonSerializer.SerializeToUtf8Bytes(header, Json);
        w.Write(json.Length); w.Write(json);
        using (var m = new MemoryStream()) { model.save(m); Section(w, m.ToArray()); }
        using (var o = new MemoryStream())
        {
            using (var ow = new BinaryWriter(o, Encoding.UTF8, leaveOpen: true)) ((TorchSharp.Modules.Adam)optimizer).save_state_dict(ow);
            Section(w, o.ToArray());
        }
        using (var rng = torch.random.get_rng_state()) Section(w, rng.data<byte>().ToArray());
        w.Flush();
        return ms.ToArray();
    }

    static void Section(BinaryWriter w, byte[] data) { w.Write((long)data.Length); w.Write(data); }

    /// <summary>Reads only the header (for evaluation and validation).</summary>
    public static CheckpointHeader ReadHeader(byte[] data, string source = "checkpoint") => Open(data, source, out _);

    static CheckpointHeader Open(byte[] data, string source, out BinaryReader reader)
    {
        if (data.Length < 12 || !data.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException($"{source}: magic: expected 'DGGRNCK1', found {(data.Length < 8 ? "a file too short" : $"'{Encoding.ASCII.GetString(data, 0, 8)}'")}");
        reader = new BinaryReader(new MemoryStream(data));
        reader.ReadBytes(8);
        int len = reader.ReadInt32();
        if (len <= 0 || 12 + len > data.Length) throw new InvalidDataException($"{source}: header length: expected at most {data.Length - 12} bytes, found {len} (truncated)");
        return JsonSerializer.Deserialize<CheckpointHeader>(reader.ReadBytes(len), Json)
            ?? throw new InvalidDataException($"{source}: header: expected a JSON object, found null");
    }

    /// <summary>Loads weights (and, when given, the optimiser and RNG state) into freshly built objects.</summary>
    public static CheckpointHeader Restore(byte[] data, nn.Module model, optim.Optimizer? optimizer, string source = "checkpoint")
    {
        var header = Open(data, source, out var r);
        using (r)
        {
            byte[] Next(string what)
            {
                if (r.BaseStream.Length - r.BaseStream.Position < 8) throw new InvalidDataException($"{source}: {what}: expected a section, found end of data (truncated)");
                long n = r.ReadInt64();
                if (n < 0 || n > r.BaseStream.Length - r.BaseStream.Position) throw new InvalidDataException($"{source}: {what}: expected {n} bytes, found {r.BaseStream.Length - r.BaseStream.Position} (truncated)");
                return r.ReadBytes((int)n);
            }
            var weights = Next("model weights");
            using (var m = new MemoryStream(weights)) model.load(m);
            var opt = Next("optimizer state");
            var rng = Next("rng state");
            if (optimizer is not null)
            {
                using (var o = new MemoryStream(opt))
                using (var or = new BinaryReader(o)) ((TorchSharp.Modules.Adam)optimizer).load_state_dict(or);
                using var t = torch.tensor(rng, dtype: ScalarType.Byte);
                torch.random.set_rng_state(t);
            }
        }
        return header;
    }
}
