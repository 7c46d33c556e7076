using Dggrn.Model.Pipeline;
using Xunit;

namespace Dggrn.Model.Tests;

public sealed class PipelineTests
{
    static Image2D Make(int h, int w, Func<int, int, double> f)
    {
        var img = new Image2D(h, w);
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) img[r, c] = f(r, c);
        return img;
    }

    [Theory]
    // Keys a = -0.5 by hand: |x| <= 1: 1.5|x|^3 - 2.5|x|^2 + 1; 1 < |x| <= 2: -0.5|x|^3 + 2.5|x|^2 - 4|x| + 2.
    [InlineData(0.0, 1.0)]
    [InlineData(0.25, 0.8671875)]
    [InlineData(0.5, 0.5625)]
    [InlineData(0.75, 0.2265625)]
    [InlineData(1.0, 0.0)]
    [InlineData(1.25, -0.0703125)]
    [InlineData(1.5, -0.0625)]
    [InlineData(1.75, -0.0234375)]
    [InlineData(2.5, 0.0)]
    public void CubicKernelWeights(double x, double expected)
    {
        Assert.Equal(expected, Bicubic.Cubic(x), 12);
        Assert.Equal(expected, Bicubic.Cubic(-x), 12);
    }

    [Fact]
    public void ScaleTwoFirstOutputUsesMirroredTaps()
    {
        // Output 0 samples u = 0.5/2 - 0.5 = -0.25: taps at -2, -1, 0, 1 (distances 1.75, 0.75, 0.25, 1.25); mirror maps -2 -> 1, -1 -> 0.
        var (idx, w) = Bicubic.Contributions(4, 2);
        Assert.Equal(new[] { 1, 0, 0, 1 }, idx[..4]);
        Assert.Equal(new[] { -0.0234375, 0.2265625, 0.8671875, -0.0703125 }, w[..4].Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void BicubicMatchesAnIndependentImresize()
    {
        // Reference: a pure-Python transcription of MATLAB imresize's contributions() (1-based u = x/s + 0.5(1 - 1/s),
        // 6 taps, weights normalised, symmetric aux index), dimension 1 first, run once on L(r, c) = ((5r + 2c) mod 7) / 7.
        var lr = Make(5, 6, (r, c) => ((r * 5 + c * 2) % 7) / 7.0);
        var up2 = Bicubic.Upscale(lr, 2);
        Assert.Equal((10, 12), (up2.Height, up2.Width));
        Assert.Equal(0.607683454241071, up2[3, 7], 12);
        Assert.Equal(0.285714285714286, up2[9, 11], 12);
        Assert.Equal(0.025303431919643, up2[4, 5], 12);
        Assert.Equal(49.270961216518, up2.Data.Sum(), 9);
        var up3 = Bicubic.Upscale(lr, 3);
        Assert.Equal(0.201058201058201, up3[5, 4], 12);
        Assert.Equal(0.216931216931217, up3[10, 2], 12);
        Assert.Equal(0.428571428571429, up3[1, 16], 12);
        Assert.Equal(110.817754262199, up3.Data.Sum(), 9);
    }

    [Fact]
    public void BlurOfADeltaIsTheGaussianKernel()
    {
        // 3x3 Gaussian, sigma 1, normalised: taps e^-1/2 / (1 + 2e^-1/2) and 1 / (1 + 2e^-1/2); 2D = outer product.
        double e = Math.Exp(-0.5), s = 1 + 2 * e;
        var delta = Make(5, 5, (r, c) => r == 2 && c == 2 ? 1 : 0);
        var b = Degradation.Blur(delta);
        Assert.Equal(1 / (s * s), b[2, 2], 14);
        Assert.Equal(e / (s * s), b[1, 2], 14);
        Assert.Equal(e * e / (s * s), b[1, 1], 14);
        Assert.Equal(0, b[0, 0], 14);
        // A delta in the corner with replicated edges: rows -1 and 0 both read row 0, so the weight is ((1 + e) / s)^2.
        var corner = Make(5, 5, (r, c) => r == 0 && c == 0 ? 1 : 0);
        Assert.Equal((1 + e) * (1 + e) / (s * s), Degradation.Blur(corner)[0, 0], 14);
    }

    [Fact]
    public void DecimationKeepsEveryScaleThPixelFromZero()
    {
        var img = Make(6, 9, (r, c) => r * 100 + c);
        var d = Degradation.Decimate(img, 3);
        Assert.Equal((2, 3), (d.Height, d.Width));
        Assert.Equal(new double[] { 0, 3, 6, 300, 303, 306 }, d.Data);
    }

    [Fact]
    public void ModcropAndNormaliseFollowTheProtocol()
    {
        var img = Make(11, 14, (r, c) => 10 + r + c);
        var m = Degradation.Modcrop(img, 3);
        Assert.Equal((9, 12), (m.Height, m.Width));
        var n = Degradation.Normalise(img)!;
        Assert.Equal(0, n.Data.Min());
        Assert.Equal(1, n.Data.Max());
        Assert.Equal((5.0 + 7) / 23, n[5, 7], 14);
        Assert.Null(Degradation.Normalise(Make(8, 8, (_, _) => 3)));
        // 6 of 64 pixels (9.4%) exceed 0.1 after normalising: a background slice.
        Assert.Null(Degradation.Normalise(Make(8, 8, (r, c) => r == 0 && c < 6 ? 1 : 0)));
        Assert.NotNull(Degradation.Normalise(Make(8, 8, (r, c) => r == 0 && c < 7 ? 1 : 0)));
    }

    [Fact]
    public void DihedralInverseUndoesForward()
    {
        for (int t = 0; t < 8; t++)
        {
            var (th, tw) = Dihedral.Size(t, 5, 7);
            var seen = new HashSet<(int, int)>();
            for (int y = 0; y < 5; y++)
                for (int x = 0; x < 7; x++)
                {
                    var f = Dihedral.Forward(t, 5, 7, y, x);
                    Assert.InRange(f.Y, 0, th - 1);
                    Assert.InRange(f.X, 0, tw - 1);
                    Assert.True(seen.Add(f));
                    Assert.Equal((y, x), Dihedral.Inverse(t, 5, 7, f.Y, f.X));
                }
        }
        // t = 1 is numpy rot90: pixel (0, 6) of a 5x7 image (top right) goes to (0, 0).
        Assert.Equal((0, 0), Dihedral.Forward(1, 5, 7, 0, 6));
    }

    [Fact]
    public void UnaugmentedPatchesEqualTheDegradedSlice()
    {
        // Without augmentation the sampler's LR patch must be exactly the dggrn-v1 LR slice cut at the same place.
        var hr = Make(24, 30, (r, c) => 0.5 + 0.4 * Math.Sin(r * 0.7) * Math.Cos(c * 0.3));
        var pair = new SlicePair(0, 2, 0, hr, Degradation.Degrade(hr, 2));
        var sampler = new PatchSampler([pair], 2, 4, 4, 1, augment: false, 0);
        Assert.Equal(3 * 3, sampler.Count); // LR 12x15, patch 4, stride 4: rows 0,4,8; cols 0,4,8
        var order = Enumerable.Range(0, sampler.Count).ToArray();
        var lr = new float[9 * 16]; var hrp = new float[9 * 64];
        sampler.Fill(order, 1, 0, 9, lr, hrp);
        // Patch 4 is (r, c) = (4, 4) in LR.
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++) Assert.Equal((float)pair.Lr[4 + y, 4 + x], lr[4 * 16 + y * 4 + x]);
        Assert.Equal((float)hr[8, 8], hrp[4 * 64]);
    }

    [Fact]
    public void AugmentedPatchesKeepLrHrRegistration()
    {
        // Every augmented pair must satisfy LR = decimate(blur(HR)) away from the patch border, i.e. the registration of step 5.
        var hr = Make(24, 24, (r, c) => 0.5 + 0.4 * Math.Sin(r * 0.9 + 0.3) * Math.Cos(c * 0.4 + r * 0.1));
        var pair = new SlicePair(0, 2, 0, hr, Degradation.Degrade(hr, 2));
        var sampler = new PatchSampler([pair], 2, 6, 3, 5, augment: true, 0);
        var order = Enumerable.Range(0, sampler.Count).ToArray();
        var lr = new float[16 * 36]; var hrp = new float[16 * 144];
        sampler.Fill(order, 3, 2, 16, lr, hrp);
        var t = Degradation.GaussianTaps();
        for (int b = 0; b < 16; b++)
            for (int y = 1; y < 6; y++)
                for (int x = 1; x < 6; x++)
                {
                    double acc = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++) acc += t[dy + 1] * t[dx + 1] * hrp[b * 144 + (2 * y + dy) * 12 + 2 * x + dx];
                    Assert.InRange(lr[b * 36 + y * 6 + x] - acc, -1e-5, 1e-5); // float32 storage
                }
    }
}
