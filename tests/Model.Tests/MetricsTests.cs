using Dggrn.Model.Metrics;
using Dggrn.Model.Pipeline;
using Xunit;

namespace Dggrn.Model.Tests;

public sealed class MetricsTests
{
    static Image2D Make(int h, int w, Func<int, int, double> f)
    {
        var img = new Image2D(h, w);
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) img[r, c] = f(r, c);
        return img;
    }

    [Fact]
    public void ConstantOffsetOfOneTenthGivesTwentyDecibels()
    {
        // MSE = 0.1^2 = 0.01, PSNR = 10 log10(1 / 0.01) = 20 dB exactly.
        var hr = Make(20, 24, (r, c) => 0.3 + 0.01 * ((r + c) % 5));
        var x = hr with { Data = hr.Data.Select(v => v + 0.1).ToArray() };
        Assert.Equal(20.0, Psnr.Compute(x, hr), 10);
    }

    [Fact]
    public void IdenticalImagesHaveSsimOne()
    {
        var a = Make(16, 20, (r, c) => ((r * 7 + c * 3) % 11) / 10.0);
        Assert.Equal(1.0, Ssim.Compute(a, a), 12);
    }

    [Fact]
    public void ConstantImagesHaveTheLuminanceTermOnly()
    {
        // Both constant: all variances are 0, so SSIM = (2*0.5*0.6 + C1) / (0.25 + 0.36 + C1) with C1 = 1e-4 = 0.6001 / 0.6101.
        var a = Make(12, 12, (_, _) => 0.5);
        var b = Make(12, 12, (_, _) => 0.6);
        Assert.Equal(0.6001 / 0.6101, Ssim.Compute(a, b), 12);
    }

    [Fact]
    public void SsimAndPsnrMatchAnIndependentImplementation()
    {
        // Reference values from a direct (non-separable, 11x11 window loop) pure-Python implementation of dggrn-v1 step 7,
        // written from PROTOCOL.md and run once: ssim 0.969390143860225, psnr 20.665443489738841.
        var x = Make(16, 20, (r, c) => ((r * 7 + c * 3) % 11) / 10.0);
        var y = Make(16, 20, (r, c) => x[r, c] * 0.8 + 0.1 * ((r + 2 * c) % 3) / 2);
        Assert.Equal(0.969390143860225, Ssim.Compute(y, x), 12);
        Assert.Equal(20.665443489738841, Psnr.Compute(y, x), 10);
    }
}
