using Dggrn.Model.Models;
using Dggrn.Model.Pipeline;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dggrn.Model.Tests;

/// <summary>The SCSR and ReCNN baselines: sizes, shapes, and their fixed interpolation against the bicubic baseline.</summary>
public sealed class BaselineNetworkTests
{
    // Hand count, 3x3 convs with bias: conv(cin, cout) = 9*cin*cout + cout.
    // conv(1, 64) = 640, conv(64, 64) = 36,928, conv(64, 1) = 577.
    // SCSR, N = 8, K = 64: head 640 + 8 blocks * 2 * 36,928 (590,848) + tail 577 = 592,065.
    // ReCNN, N = 8 -> L = 2*8 + 4 = 20 layers, K = 64: 640 + 18 * 36,928 (664,704) + 577 = 665,921.
    // conv(1, 8) = 80, conv(8, 8) = 584, conv(8, 1) = 73.
    // SCSR, N = 2, K = 8: 80 + 2 * 2 * 584 (2,336) + 73 = 2,489.
    // ReCNN, N = 2 -> L = 8, K = 8: 80 + 6 * 584 (3,504) + 73 = 3,657.
    // Neither has a scale-dependent layer (the upscaling is fixed), so every scale gives the same count.
    [Theory]
    [InlineData("scsr", 8, 64, 592_065)]
    [InlineData("recnn", 8, 64, 665_921)]
    [InlineData("scsr", 2, 8, 2_489)]
    [InlineData("recnn", 2, 8, 3_657)]
    public void ParameterCountsMatchTheHandCount(string method, int blocks, int filters, long expected)
    {
        for (int s = 2; s <= 4; s++)
        {
            using var net = ModelRegistry.Create(method, blocks, filters, s);
            Assert.Equal(expected, net.ParameterCount);
            // Nothing but the trainable convolutions is saved: the interpolation matrices are neither parameters nor buffers.
            Assert.Equal(net.parameters().Count(), net.state_dict().Count);
        }
    }

    [Fact]
    public void ReCnnDepthIsTwentyAtTheGridDefault()
    {
        using var net = new ReCnnNet(8, 8, 2);
        Assert.Equal(20, net.Depth);
        using var shallow = new ReCnnNet(1, 8, 2);
        Assert.Equal(6, shallow.Depth);
    }

    [Theory]
    [InlineData("scsr", 2)]
    [InlineData("scsr", 3)]
    [InlineData("scsr", 4)]
    [InlineData("recnn", 2)]
    [InlineData("recnn", 3)]
    [InlineData("recnn", 4)]
    public void OutputIsScaledAndHasNoGmMaps(string method, int scale)
    {
        random.manual_seed(1);
        using var net = ModelRegistry.Create(method, 1, 4, scale);
        Assert.Equal(scale, net.Scale);
        using var x = rand(2, 1, 10, 12);
        using var y = net.Forward(x, out var gm);
        Assert.Equal(new long[] { 2, 1, 10 * scale, 12 * scale }, y.shape);
        Assert.Null(gm);
    }

    static Image2D RandomImage(int h, int w, int seed)
    {
        var rng = new Random(seed);
        var img = new Image2D(h, w);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = rng.NextDouble();
        return img;
    }

    static Tensor AsBatch(Image2D img) => tensor(img.Data.Select(v => (float)v).ToArray(), [1, 1, img.Height, img.Width]);

    static double MaxAbsDiff(Tensor t, Image2D expected)
    {
        var v = t.data<float>().ToArray();
        Assert.Equal(expected.Data.Length, v.Length);
        return v.Select((x, i) => Math.Abs(x - expected.Data[i])).Max();
    }

    // Odd, unequal sides, smaller than the 4-tap support in no direction, so mirrored taps at both borders are exercised.
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void InterpolationEqualsTheBicubicBaselineEverywhere(int scale)
    {
        var img = RandomImage(13, 17, scale);
        using var interp = new InterpolatedInput(scale);
        using var x = AsBatch(img);
        using var up = interp.Upscale(x);
        Assert.Equal(new long[] { 1, 1, 13 * scale, 17 * scale }, up.shape);
        Assert.InRange(MaxAbsDiff(up, Bicubic.Upscale(img, scale)), 0, 1e-5);
    }

    [Fact]
    public void InterpolationHandlesTinyInputsWhereMirroredTapsRepeat()
    {
        // A 1 x 2 image: every tap of the 1-pixel axis mirrors back onto pixel 0, so weights must add up, not overwrite.
        var img = RandomImage(1, 2, 5);
        using var interp = new InterpolatedInput(3);
        using var x = AsBatch(img);
        using var up = interp.Upscale(x);
        Assert.InRange(MaxAbsDiff(up, Bicubic.Upscale(img, 3)), 0, 1e-5);
    }

    /// <summary>With the last convolution zeroed, the residual is zero and both networks must output exactly the bicubic baseline.</summary>
    [Theory]
    [InlineData("scsr", 2)]
    [InlineData("recnn", 3)]
    public void ZeroResidualGivesTheBicubicBaseline(string method, int scale)
    {
        random.manual_seed(2);
        using var net = ModelRegistry.Create(method, 1, 4, scale);
        // The K -> 1 output convolution is the only one with a single output channel.
        var last = Assert.Single(net.named_parameters(), p => p.name.EndsWith("weight", StringComparison.Ordinal) && p.parameter.shape[0] == 1);
        using (no_grad())
            foreach (var (name, p) in net.named_parameters())
                if (name.StartsWith(last.name[..last.name.LastIndexOf('.')], StringComparison.Ordinal)) p.zero_();
        var img = RandomImage(11, 9, 7);
        using var x = AsBatch(img);
        using var noGrad = no_grad();
        using var y = net.Forward(x, out _);
        Assert.InRange(MaxAbsDiff(y, Bicubic.Upscale(img, scale)), 0, 1e-5);
    }

    [Fact]
    public void FlopsCountEveryConvolutionAtHighResolution()
    {
        // ReCNN N = 8 (20 layers), K = 64, x2, per HR pixel: 2*9*(64 + 18*64*64 + 64) = 1,329,408, + 1 (residual add)
        // + 16 (interpolation) = 1,329,425; times s^2 = 4 per LR pixel.
        using var recnn = ModelRegistry.Create("recnn", 8, 64, 2);
        Assert.Equal(4 * 1_329_425.0, recnn.FlopsPerLrPixel);
        // SCSR N = 8, K = 64, x3, per HR pixel: 2*9*(64 + 16*64*64 + 64) = 1,181,952, + 8*64 (block adds) + 1 + 16 = 1,182,481; times 9.
        using var scsr = ModelRegistry.Create("scsr", 8, 64, 3);
        Assert.Equal(9 * 1_182_481.0, scsr.FlopsPerLrPixel);
    }

    [Fact]
    public void BadSizesGiveClearErrors()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ModelRegistry.Create("recnn", 0, 64, 2));
        Assert.Contains("recnn", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelRegistry.Create("scsr", 8, 64, 5));
        Assert.True(ModelRegistry.IsTrainable("scsr") && ModelRegistry.IsTrainable("recnn"));
    }
}
