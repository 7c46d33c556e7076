using Dggrn.Model.Classical;
using Dggrn.Model.Metrics;
using Dggrn.Model.Pipeline;
using Dggrn.Model.Training;
using Dggrn.Model.Volumes;
using Xunit;
using Xunit.Abstractions;

namespace Dggrn.Model.Tests;

/// <summary>NMU and LRTV (src/Model/Classical) on inputs whose right answer is known, and against bicubic on a phantom.</summary>
public sealed class ClassicalTests
{
    readonly ITestOutputHelper output;

    public ClassicalTests(ITestOutputHelper output)
    {
        this.output = output;
        // As ClassicalMethods.Resolve does for real runs: LRTV's small SVDs are far slower with several torch threads.
        TorchSharp.torch.set_num_threads(1);
    }

    /// <summary>A few middle slices of a small phantom, x2 (kept small: both methods are iterative).</summary>
    static List<SlicePair> PhantomSlices(int scale, int count)
    {
        var all = Trainer.LoadSlices(["phantom:seed=3,grid=48x52x40"], scale, [2]);
        int mid = all.Count / 2;
        return all.Skip(Math.Max(0, mid - count / 2)).Take(count).ToList();
    }

    static Image2D Constant(int h, int w, double v) => new(h, w, Enumerable.Repeat(v, h * w).ToArray());

    [Fact]
    public void DegradationAdjointSatisfiesTheInnerProductIdentity()
    {
        // <D x, y> = <x, D^T y> for random x, y: the defining property of an adjoint, independent of how either is coded.
        var d = new DegradationOperator(12, 18, 3);
        var rng = new Random(5);
        var x = Enumerable.Range(0, 12 * 18).Select(_ => rng.NextDouble()).ToArray();
        var y = Enumerable.Range(0, 4 * 6).Select(_ => rng.NextDouble()).ToArray();
        double lhs = d.Apply(x).Zip(y, (a, b) => a * b).Sum(), rhs = x.Zip(d.Adjoint(y), (a, b) => a * b).Sum();
        Assert.Equal(lhs, rhs, 1e-12);
        // And D agrees with the protocol's own degradation.
        var viaProtocol = Degradation.Degrade(new Image2D(12, 18, x), 3).Data;
        Assert.Equal(viaProtocol, d.Apply(x), (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Fact]
    public void ProjectionMakesTheDegradationMatchAndMovesTheLeastPossible()
    {
        var d = new DegradationOperator(16, 16, 2);
        var rng = new Random(9);
        var x = Enumerable.Range(0, 256).Select(_ => rng.NextDouble()).ToArray();
        var y = Enumerable.Range(0, 64).Select(_ => rng.NextDouble()).ToArray();
        var p = Consistency.Project(d, x, y);
        Assert.True(Consistency.MaxResidual(d, p, y) < 1e-9);
        // Orthogonality: the correction p - x lies in range(D^T), so it is orthogonal to every z with D z = 0,
        // e.g. z = q - p for another point q of the constraint set.
        var q = Consistency.Project(d, Enumerable.Range(0, 256).Select(_ => rng.NextDouble()).ToArray(), y);
        double dot = 0;
        for (int i = 0; i < 256; i++) dot += (p[i] - x[i]) * (q[i] - p[i]);
        Assert.True(Math.Abs(dot) < 1e-8, $"correction not orthogonal to the constraint set: {dot}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void NmuLeavesAConstantImageConstant(int scale)
    {
        var sr = NonLocalUpsampler.Upscale(Constant(10, 12, 0.37), scale, new NmuOptions());
        Assert.Equal(10 * scale, sr.Height);
        Assert.All(sr.Data, v => Assert.Equal(0.37, v, 1e-9));
    }

    [Fact]
    public void LrtvLeavesAConstantImageConstantUpToTheNuclearNormsPull()
    {
        // For x = a (constant) the objective is N_lr (a - c)^2 + lambdaRank a sqrt(H W) (TV is flat), minimised at
        // a = c - lambdaRank sqrt(HW) / (2 N_lr) = 0.5 - 0.01 * 32 / 512 = 0.499375 for a 16x16 LR slice at x2.
        var sr = LowRankTvUpsampler.Upscale(Constant(16, 16, 0.5), 2, new LrtvOptions { MaxIterations = 200, Tolerance = 1e-9 });
        double min = sr.Data.Min(), max = sr.Data.Max();
        output.WriteLine($"lrtv constant: min {min:G6} max {max:G6}");
        Assert.True(max - min < 1e-3, $"spread {max - min}");
        Assert.Equal(0.499375, sr.Data.Average(), 5e-4);
    }

    [Fact]
    public void NmuKeepsTheMeanPreservingConstraint()
    {
        foreach (var s in PhantomSlices(2, 2))
        {
            var sr = NonLocalUpsampler.Upscale(s.Lr, 2, new NmuOptions());
            var res = Consistency.MaxResidual(new DegradationOperator(sr.Height, sr.Width, 2), sr.Data, s.Lr.Data);
            output.WriteLine($"nmu slice {s.Index}: max |D(sr) - lr| = {res:E2}");
            // The box [0, 1] is enforced last, so the constraint holds up to the alternating projections' tolerance.
            Assert.True(res < 1e-3, $"slice {s.Index}: max residual {res}");
            Assert.All(sr.Data, v => Assert.InRange(v, 0, 1));
        }
    }

    [Fact]
    public void LrtvDataTermBringsTheDegradationCloseToTheInput()
    {
        foreach (var s in PhantomSlices(2, 2))
        {
            var sr = LowRankTvUpsampler.Upscale(s.Lr, 2, new LrtvOptions());
            var d = new DegradationOperator(sr.Height, sr.Width, 2);
            double Rms(double[] x) => Math.Sqrt(d.Apply(x).Zip(s.Lr.Data, (a, b) => (a - b) * (a - b)).Average());
            double lrtv = Rms(sr.Data), bicubic = Rms(Bicubic.Upscale(s.Lr, 2).Data);
            output.WriteLine($"lrtv slice {s.Index}: rms |D(sr) - lr| = {lrtv:E2} (bicubic {bicubic:E2})");
            // A penalty, not a hard constraint: at the defaults the TV term balances the data term at about 0.02 rms
            // (measured 0.019 on these slices); bicubic, which ignores the blur, is at about 0.05.
            Assert.True(lrtv < 0.03, $"slice {s.Index}: rms residual {lrtv}");
            Assert.True(lrtv < bicubic / 2, $"slice {s.Index}: rms residual {lrtv} vs bicubic {bicubic}");
        }
    }

    [Fact]
    public void BothBeatBicubicOnAPhantomAtX2()
    {
        var slices = PhantomSlices(2, 3);
        double Mean(Func<Image2D, Image2D> f) => slices.Average(s => Psnr.Compute(f(s.Lr), s.Hr));
        double bicubic = Mean(lr => Bicubic.Upscale(lr, 2));
        double nmu = Mean(lr => NonLocalUpsampler.Upscale(lr, 2, new NmuOptions()));
        int its = 0;
        double lrtv = Mean(lr => { var r = LowRankTvUpsampler.Upscale(lr, 2, new LrtvOptions(), out var k); its = k; return r; });
        output.WriteLine($"lrtv iterations (last slice): {its}");
        output.WriteLine($"x2 PSNR: bicubic {bicubic:F3}, nmu {nmu:F3}, lrtv {lrtv:F3}");
        Assert.True(nmu > bicubic + 0.1, $"nmu {nmu} vs bicubic {bicubic}");
        Assert.True(lrtv > bicubic + 0.1, $"lrtv {lrtv} vs bicubic {bicubic}");
    }

    [Fact]
    public void ParametersAreValidatedWithClearErrors()
    {
        Assert.Equal(new NmuOptions(), NmuOptions.From(null));
        Assert.Equal(new LrtvOptions(), LrtvOptions.From(new Dictionary<string, double>()));
        Assert.Equal(2, NmuOptions.From(new Dictionary<string, double> { ["patchRadius"] = 2 }).PatchRadius);
        var e = Assert.Throws<ArgumentException>(() => NmuOptions.From(new Dictionary<string, double> { ["patchRadius"] = 1.5 }));
        Assert.Contains("nmu.patchRadius: expected an integer in [1, 3]", e.Message);
        Assert.Contains("found 1.5", e.Message);
        e = Assert.Throws<ArgumentException>(() => NmuOptions.From(new Dictionary<string, double> { ["radius"] = 1 }));
        Assert.Contains("nmu.radius: unknown parameter (expected one of: patchRadius, searchRadius", e.Message);
        e = Assert.Throws<ArgumentException>(() => LrtvOptions.From(new Dictionary<string, double> { ["rho"] = 0 }));
        Assert.Contains("lrtv.rho: expected a number in [1E-06, 100]", e.Message);
        e = Assert.Throws<ArgumentException>(() => LrtvOptions.From(new Dictionary<string, double> { ["lambdaTv"] = double.NaN }));
        Assert.Contains("lrtv.lambdaTv", e.Message);
    }

    [Fact]
    public void TrainerRunsNmuAsAnEvaluationOnlyTrial()
    {
        var cb = new RecordingCallbacks();
        var job = TrainerSmokeTests.TinyJob("nmu") with { Params = new Dictionary<string, double> { ["maxIterations"] = 2 } };
        var result = Trainer.Run(job, cb, CancellationToken.None);
        var epoch = Assert.Single(cb.Epochs);
        Assert.Equal(0, epoch.Epoch);
        Assert.Equal(0, result.Parameters);
        Assert.Empty(cb.Checkpoints);
        Assert.Empty(cb.Losses);
        Assert.Equal("nmu", result.Test.Method);
        Assert.True(result.Test.Overall.Slices > 0);
        Assert.Contains(cb.Images, i => i.Kind == "sr");
        // The same slices through bicubic: NMU must not be worse on the phantom.
        var bicubic = Trainer.Run(TrainerSmokeTests.TinyJob("bicubic"), new RecordingCallbacks(), CancellationToken.None);
        Assert.Equal(bicubic.Test.Overall.Slices, result.Test.Overall.Slices);
        Assert.True(result.Test.Overall.Psnr > bicubic.Test.Overall.Psnr, $"nmu {result.Test.Overall.Psnr} vs bicubic {bicubic.Test.Overall.Psnr}");
    }

    [Fact]
    public void CancellationStopsAClassicalTrialAsCancellation()
    {
        using var cts = new CancellationTokenSource();
        // Cancel once the test volume is loaded: the slices then see the token and the run ends as OperationCanceledException.
        var cb = new LoggingCallbacks(line => { if (line.StartsWith("nmu: reconstructing", StringComparison.Ordinal)) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Run(TrainerSmokeTests.TinyJob("nmu"), cb, cts.Token));
        Assert.Empty(cb.Epochs);
    }

    sealed class LoggingCallbacks(Action<string> onLog) : NullTrainingCallbacks
    {
        public List<EpochReport> Epochs { get; } = [];
        public override void OnLog(string line) => onLog(line);
        public override void OnEpoch(EpochReport report) => Epochs.Add(report);
    }

    [Fact]
    public void TrainerRejectsBadOrMisplacedParametersBeforeLoadingData()
    {
        var bad = TrainerSmokeTests.TinyJob("lrtv") with { TestSources = ["/nonexistent.nii"], Params = new Dictionary<string, double> { ["lambdaTv"] = -1 } };
        var e = Assert.Throws<ArgumentException>(() => Trainer.Run(bad, new RecordingCallbacks(), CancellationToken.None));
        Assert.Contains("lrtv.lambdaTv", e.Message);
        var misplaced = TrainerSmokeTests.TinyJob("bicubic") with { Params = new Dictionary<string, double> { ["h"] = 1 } };
        e = Assert.Throws<ArgumentException>(() => Trainer.Run(misplaced, new RecordingCallbacks(), CancellationToken.None));
        Assert.Contains("params: method 'bicubic' takes no parameters", e.Message);
    }
}
