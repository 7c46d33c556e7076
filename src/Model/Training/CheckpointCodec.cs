using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Dggrn.Model.Checksums;
using TorchSharp;
using static TorchSharp.torch;

namespace Dggrn.Model.Training;

/// <summary>Checkpoint bytes: "DGGRNCK1", a JSON <see cref="CheckpointHeader"/>, then the model weights, the Adam state and
/// torch's RNG state, each length-prefixed.</summary>
public static class CheckpointCodec
{
    static readonly byte[] Magic = "DGGRNCK1"u8.ToArray();
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Serialises a training position and digests the bytes.</summary>
    /// <remarks>
    /// The training loop is paused while this runs and libtorch's threads idle, so the digest is computed then, on a spare
    /// core, piece by piece as each section is produced (<see cref="BackgroundDigest"/>), rather than during the upload,
    /// where on a small machine it would compete with the store's server. The pieces are copied once into the result.
    /// </remarks>
    public static EncodedCheckpoint Write(CheckpointHeader header, nn.Module model, optim.Optimizer optimizer)
    {
        using var digest = new BackgroundDigest();
        var pieces = new List<ReadOnlyMemory<byte>>(9);
        void Add(ReadOnlyMemory<byte> piece) { pieces.Add(piece); digest.Append(piece); }
        void Section(ReadOnlyMemory<byte> data)
        {
            var length = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, data.Length);
            Add(length);
            Add(data);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(header, Json);
        var head = new byte[Magic.Length + 4];
        Magic.CopyTo(head, 0);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(Magic.Length), json.Length);
        Add(head);
        Add(json);
        Section(Saved(s => model.save(s)));
        Section(Saved(s =>
        {
            using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
            ((TorchSharp.Modules.Adam)optimizer).save_state_dict(w);
        }));
        using (var rng = torch.random.get_rng_state()) Section(rng.data<byte>().ToArray());

        var data = new byte[digest.Length];
        var at = 0;
        foreach (var piece in pieces)
        {
            piece.Span.CopyTo(data.AsSpan(at));
            at += piece.Length;
        }
        return new EncodedCheckpoint(data, digest.Complete());
    }

    /// <summary>What <paramref name="save"/> writes, without copying it out of the stream's buffer.</summary>
    static ReadOnlyMemory<byte> Saved(Action<Stream> save)
    {
        var s = new KeptOpen();
        save(s);
        return s.GetBuffer().AsMemory(0, (int)s.Length);
    }

    /// <summary>A memory stream whose buffer outlives the writer that closes it (TorchSharp's Module.save disposes its stream).</summary>
    sealed class KeptOpen : MemoryStream
    {
        protected override void Dispose(bool disposing) { }
    }

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

/// <summary>A serialised checkpoint and the digest of exactly these bytes.</summary>
public sealed record EncodedCheckpoint(byte[] Data, Dggrn.Contracts.Content.ContentHashes Digest);
