using Dggrn.Model.Models;
using Xunit;

namespace Dggrn.Model.Tests;

public sealed class ModelParameterTests
{
    // Hand count (PROTOCOL.md cross-check), 3x3 convs with bias: conv(cin, cout) = 9*cin*cout + cout.
    // ResNet K=64 N=8 x2: head 640 + 8 blocks * 2 * 36,928 = 590,848 + up conv(64, 256) 147,712 + tail conv(64, 1) 577 = 739,777.
    // DGGRN adds the GM subnet: conv(1,64) + conv(65,64) + conv(129,64) + conv(193,64) = 640 + 37,504 + 74,368 + 111,232 = 223,744.
    [Theory]
    [InlineData("dggrn", 963_521)]
    [InlineData("resnet", 739_777)]
    public void PaperConfigurationHasTheCrossCheckedParameterCount(string method, long expected)
    {
        using var net = ModelRegistry.Create(method, 8, 64, 2);
        Assert.Equal(expected, net.ParameterCount);
    }

    // Scale 3 changes only the upscaling conv: conv(64, 576) = 9*64*576 + 576 = 332,352 instead of 147,712.
    [Fact]
    public void ScaleThreeWidensOnlyTheUpscalingConvolution()
    {
        using var net = ModelRegistry.Create("resnet", 8, 64, 3);
        Assert.Equal(739_777 - 147_712 + 332_352, net.ParameterCount);
    }

    [Fact]
    public void OutputIsScaledAndGmMapsLieInZeroOne()
    {
        TorchSharp.torch.random.manual_seed(1);
        using var net = ModelRegistry.Create("dggrn", 2, 8, 3);
        using var x = TorchSharp.torch.rand(2, 1, 10, 12);
        using var y = net.Forward(x, out var gm);
        Assert.Equal(new long[] { 2, 1, 30, 36 }, y.shape);
        Assert.NotNull(gm);
        Assert.Equal(new long[] { 2, 8, 10, 12 }, gm!.shape);
        Assert.True(gm.min().item<float>() >= 0 && gm.max().item<float>() <= 1);
        gm.Dispose();
    }
}
