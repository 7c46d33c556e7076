using System.Buffers.Binary;
using System.Text;
using Dggrn.Model.Checksums;
using Dggrn.Model.Models;
using Dggrn.Model.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dggrn.Model.Tests;

public sealed class CheckpointDigestTests
{
    // Published values: RFC 1321 appendix A.5 (MD5 "abc", ""), FIPS 180-2 appendix B (SHA-256 "abc", a million 'a');
    // MD5 of a million 'a' as computed by Python's hashlib.
    [Theory]
    [InlineData(new[] { "a", "bc" }, 1, "900150983cd24fb0d6963f7d28e17f72", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData(new string[0], 1, "d41d8cd98f00b204e9800998ecf8427e", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData(new[] { "aaaaaaaaaa" }, 100_000, "7707d6ae4e027c70eea2a935c2296f21", "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")]
    public void BackgroundDigestOfPiecesMatchesPublishedValues(string[] pieces, int repeat, string md5, string sha256)
    {
        using var d = new BackgroundDigest();
        for (var r = 0; r < repeat; r++)
            foreach (var p in pieces) d.Append(Encoding.ASCII.GetBytes(p));
        Assert.Equal(Dggrn.Contracts.Content.ContentHashes.Known(md5, sha256), d.Complete());
        Assert.Equal(pieces.Sum(p => p.Length) * (long)repeat, d.Length);
    }

    [Fact]
    public void CodecDigestIsOfExactlyTheBytesAndTheLayoutIsUnchanged()
    {
        random.manual_seed(3);
        using var net = ModelRegistry.Create("dggrn", 2, 8, 2);
        using var adam = optim.Adam(net.parameters(), 1e-3);
        using (NewDisposeScope())
        {
            nn.functional.mse_loss(net.forward(randn(1, 1, 6, 6)), randn(1, 1, 12, 12)).backward();
            adam.step();
        }
        var header = new CheckpointHeader { Method = "dggrn", Blocks = 2, Filters = 8, Scale = 2, Epoch = 2, GlobalStep = 7 };
        var c = CheckpointCodec.Write(header, net, adam);

        Assert.Equal(Dggrn.Contracts.Content.ContentHashes.Known(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(c.Data)),
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(c.Data))), c.Digest); // one-shot hashes of the result
        // The layout read here without the codec: "DGGRNCK1", int32 header length, JSON, then three int64-prefixed sections
        // (weights, Adam state, RNG state) that end exactly at the end of the data; checkpoints written before stay readable.
        var span = c.Data.AsSpan();
        Assert.Equal("DGGRNCK1", Encoding.ASCII.GetString(span[..8]));
        var at = 12 + BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        Assert.Contains("\"globalStep\":7", Encoding.UTF8.GetString(span[12..at]));
        for (var section = 0; section < 3; section++)
        {
            var length = BinaryPrimitives.ReadInt64LittleEndian(span[at..]);
            Assert.InRange(length, 1, span.Length - at - 8);
            at += 8 + (int)length;
        }
        Assert.Equal(span.Length, at);

        random.manual_seed(4);
        using var fresh = ModelRegistry.Create("dggrn", 2, 8, 2);
        Assert.Equal(7, CheckpointCodec.Restore(c.Data, fresh, null).GlobalStep);
        foreach (var ((name, a), (_, b)) in net.named_parameters().Zip(fresh.named_parameters()))
            Assert.True(a.allclose(b, rtol: 0, atol: 0), $"parameter {name} differs after restore");
    }
}
