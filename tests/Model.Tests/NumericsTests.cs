using Dggrn.Model.Models;
using Dggrn.Model.Numerics;
using Dggrn.Model.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dggrn.Model.Tests;

/// <summary>Float32 convolutions are checked on the machine the tests run on, at the shapes the networks really use: a CPU
/// whose kernels compute wrong numbers (AMD Zen 5 under libtorch 2.10's blocked oneDNN layouts) fails here.</summary>
public sealed class NumericsTests : IDisposable
{
    readonly int threads = get_num_threads();

    public void Dispose()
    {
        set_num_threads(threads);
        ConvKernels.Use(ConvPath.ChannelsLast);
    }

    /// <summary>A 3x3 all-ones kernel on an all-ones image with zero padding: each output is Cin times the number of pixels the
    /// window covers inside the image (4 in a corner, 6 on an edge, 9 inside). With an all-ones output gradient the input
    /// gradient is Cout times the same count, and every weight's gradient is the number of output pixels whose window tap
    /// lands inside the image. Counted here by hand, not by any convolution.</summary>
    /// <remarks>A 1-channel input is checked forward and for the weight gradient only: its strides are NCHW and NHWC at once,
    /// so libtorch keeps it in NCHW and its input gradient takes the blocked kernels (wrong on Zen 5 for 8 outputs). No network
    /// needs that gradient: a 1-channel conv input is always data (the LR patch, its gradient map, its interpolation), and the
    /// float64 check of each real network would catch a network that did.</remarks>
    [Theory]
    [InlineData(1, 64, 1)] [InlineData(1, 8, 2)] [InlineData(64, 1, 1)] [InlineData(64, 1, 2)] [InlineData(65, 64, 1)] [InlineData(65, 64, 2)]
    [InlineData(17, 16, 2)] [InlineData(24, 64, 2)] [InlineData(64, 24, 2)] [InlineData(129, 64, 2)] [InlineData(8, 72, 2)] [InlineData(8, 1, 2)]
    [InlineData(9, 8, 2)] [InlineData(9, 8, 1)]
    public void ConvolutionOfOnesMatchesHandCountsOnTheProductPath(int cin, int cout, int threadCount)
    {
        set_num_threads(threadCount);
        ConvKernels.Use(NumericsCheck.Select(NumericsProbe.Startup).Path!.Value);
        const int B = 4, H = 10, W = 12;
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(cin, cout, 3, padding: 1, bias: false);
        using (no_grad()) conv.weight!.fill_(1);
        var x = ones(B, cin, H, W).requires_grad_(cin > 1);
        var y = conv.Conv(x);
        y.backward([ones_like(y)]);

        static int Covered(int i, int n) => (i > 0 ? 1 : 0) + 1 + (i < n - 1 ? 1 : 0);
        var output = y.detach().contiguous().data<float>().ToArray();
        var inputGrad = cin > 1 ? x.grad!.contiguous().data<float>().ToArray() : [];
        for (int b = 0; b < B; b++)
            for (int c = 0; c < cout; c++)
                for (int i = 0; i < H; i++)
                    for (int j = 0; j < W; j++)
                        Assert.Equal((float)(cin * Covered(i, H) * Covered(j, W)), output[((b * cout + c) * H + i) * W + j]);
        for (int b = 0; b < B && cin > 1; b++)
            for (int c = 0; c < cin; c++)
                for (int i = 0; i < H; i++)
                    for (int j = 0; j < W; j++)
                        Assert.Equal((float)(cout * Covered(i, H) * Covered(j, W)), inputGrad[((b * cin + c) * H + i) * W + j]);
        // Weight tap (di, dj) sees input pixel (i + di, j + dj) for output (i, j): inside for H - |di| rows and W - |dj| columns.
        var weightGrad = conv.weight!.grad!.contiguous().data<float>().ToArray();
        for (int o = 0; o < cout; o++)
            for (int c = 0; c < cin; c++)
                for (int di = -1; di <= 1; di++)
                    for (int dj = -1; dj <= 1; dj++)
                        Assert.Equal((float)(B * (H - Math.Abs(di)) * (W - Math.Abs(dj))), weightGrad[((o * cin + c) * 3 + di + 1) * 3 + dj + 1]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SelfCheckFindsACorrectPathForEveryNetworkAtThisThreadCount(int threadCount)
    {
        set_num_threads(threadCount);
        var report = NumericsCheck.Select(NumericsProbe.Startup);
        Assert.True(report.Passed, report.Summary);
        Assert.Equal(threadCount, report.Threads);
        Assert.InRange(report.MaxRelativeError, 0, NumericsCheck.Tolerance);
        Assert.Equal(report.Path, ConvKernels.Current);
        Assert.Equal(NumericsProbe.Startup.Count, report.Probes.Count);
        Assert.False(string.IsNullOrEmpty(report.Platform.CpuModel));
        Assert.StartsWith("2.", report.Platform.Libtorch);
    }

    [Theory]
    [InlineData("dggrn", 8, 64, 2)]
    [InlineData("dggrn", 4, 32, 3)]
    [InlineData("resnet", 8, 64, 4)]
    [InlineData("scsr", 2, 32, 2)]
    [InlineData("recnn", 2, 32, 3)]
    public void EveryNetworkAgreesWithFloat64OnTheChosenPathAtTwoThreads(string method, int blocks, int filters, int scale)
    {
        set_num_threads(2);
        var chosen = NumericsCheck.Select(NumericsProbe.Startup).Path!.Value;
        var m = NumericsCheck.Measure([new NumericsProbe(method, blocks, filters, scale)], chosen, CPU);
        Assert.True(m.Passed, $"{chosen.Name()}: {m.MaxRelativeError:0.0e+0} at {m.Worst}");
    }

    [Fact]
    public void WhenNoPathAgreesTheReportSaysWhyAndNamesEveryPath()
    {
        // A zero tolerance makes even correct float32 rounding a disagreement: the failure path, exercised on any machine.
        var report = NumericsCheck.Select([new NumericsProbe("resnet", 1, 8, 2, Batch: 2)], CPU, [ConvPath.ChannelsLast, ConvPath.Reference], tolerance: 0);
        Assert.False(report.Passed);
        Assert.Null(report.Path);
        Assert.Equal([ConvPath.ChannelsLast, ConvPath.Reference], report.Tried.Select(t => t.Path));
        Assert.StartsWith("numerics: float32 convolutions disagree with float64 on every path (channels-last: ", report.Reason);
        Assert.Contains("reference: ", report.Reason);
        Assert.Contains("resnet N=1 K=8 x2", report.Reason);
        Assert.Equal(ConvPath.ChannelsLast, ConvKernels.Current);
        Assert.True(LibTorchNative.MkldnnEnabled());
    }

    [Fact]
    public void GuardRefusesToTrainWithoutACorrectPath()
    {
        var job = TrainerSmokeTests.TinyJob("resnet") with { Numerics = null };
        var report = NumericsCheck.Select([NumericsGuard.ProbeFor(job.Method, job.Blocks, job.Filters, job.Scale, job.Options)], CPU, [ConvPath.ChannelsLast], tolerance: 0);
        var e = new NumericsException(report);
        Assert.Equal(report.Reason, e.Message);
        // And the guard itself passes on this machine, choosing a path.
        Assert.NotNull(NumericsGuard.Ensure(job, CPU)?.Path);
    }

    [Fact]
    public void ReferencePathSwitchesOneDnnOffAndBack()
    {
        ConvKernels.Use(ConvPath.Reference);
        Assert.False(LibTorchNative.MkldnnEnabled());
        ConvKernels.Use(ConvPath.ChannelsLast);
        Assert.True(LibTorchNative.MkldnnEnabled());
    }

    [Fact]
    public void ThirtyStepsGiveTheSameLossAtOneAndTwoThreads()
    {
        double LossAtStep30(int t)
        {
            var job = TrainerSmokeTests.TinyJob("dggrn", epochs: 1, steps: 30) with { Blocks = 2, Filters = 16 };
            job = job with { Options = job.Options with { Threads = t, LogEverySteps = 1, ExampleSlices = 0, BatchSize = 16 } };
            var cb = new RecordingCallbacks();
            Trainer.Run(job, cb, CancellationToken.None);
            return cb.Losses.Single(l => l.Step == 30).Loss;
        }
        double one = LossAtStep30(1), two = LossAtStep30(2);
        Assert.True(double.IsFinite(one) && double.IsFinite(two), $"{one} {two}");
        Assert.InRange(Math.Abs(one - two) / one, 0, 0.02);
    }

    [Fact]
    public void PlatformFactsNameTheCpuAndTheLibraries()
    {
        var p = PlatformFacts.Here;
        var cpuinfo = File.ReadAllText("/proc/cpuinfo");
        Assert.Contains(p.CpuModel, cpuinfo);
        Assert.Contains($"cpu family\t: {p.CpuFamily}", cpuinfo);
        Assert.Matches(@"v\d+\.\d+", p.ShortOneDnn ?? "");
        Assert.Equal(torch.__version__, p.Libtorch);
        Assert.NotNull(p.AtenCapability);
    }
}
