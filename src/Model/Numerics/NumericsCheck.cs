using System.Diagnostics;
using Dggrn.Model.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dggrn.Model.Numerics;

/// <summary>The numerics self-check: runs real networks forward and backward in float32 and in float64 from the same weights
/// and inputs, and chooses the fastest convolution path whose float32 results agree with float64.</summary>
/// <remarks>
/// <para>float64 convolutions never go through oneDNN (it has no f64 kernels): ATen computes them with im2col and a float64
/// GEMM, an implementation independent of the float32 kernels under test.</para>
/// <para>Compared: the network output, the loss, and the gradient of every parameter (so the input gradient of every conv but
/// the first is covered through the layers before it), each as a relative L2 error ||a32 - a64|| / ||a64||. The pass is
/// repeated: wrong kernels on two threads gave different wrong answers call to call.</para>
/// <para>Tolerance 1e-3. Correct kernels measured 5e-7 to 3e-5 (the largest for DGGRN N=12 K=128 x4, whose 31 convolutions
/// compound float32 rounding, unit 6e-8, over sums of up to 9 * 385 products); the smallest error a wrong kernel produced on
/// AMD Zen 5 was 7e-3, most were 1e-2 to NaN (docs/decisions.md). 1e-3 sits over 30 times above honest rounding and 7 times
/// below the smallest real fault.</para>
/// <para>Leaves the process on the chosen path (<see cref="ConvKernels.Use"/>); on failure, on the first path tried.</para>
/// </remarks>
public static class NumericsCheck
{
    /// <summary>The largest relative error accepted.</summary>
    public const double Tolerance = 1e-3;

    /// <summary>Passes per measurement (each compared with the single float64 pass).</summary>
    const int Repeats = 2;

    /// <summary>Tries <paramref name="candidates"/> (default: fastest first) on <paramref name="probes"/> at the current torch
    /// thread count and keeps the first that passes.</summary>
    /// <param name="probes">Networks to check.</param>
    /// <param name="device">Device (default: the CPU).</param>
    /// <param name="candidates">Paths to try in order (default <see cref="ConvPaths.BySpeed"/>).</param>
    /// <param name="tolerance">Largest accepted relative error (default <see cref="Tolerance"/>; tests pass 0 to see every path fail).</param>
    public static NumericsReport Select(IReadOnlyList<NumericsProbe> probes, Device? device = null, IEnumerable<ConvPath>? candidates = null,
        double tolerance = Tolerance)
    {
        device ??= CPU;
        var clock = Stopwatch.StartNew();
        var tried = new List<PathMeasurement>();
        IReadOnlyList<string> kernels = [];
        var order = (candidates ?? ConvPaths.BySpeed).ToList();
        if (order.Count == 0) throw new ArgumentException("numerics: no convolution path to try");
        foreach (var path in order)
        {
            if (path == ConvPath.Reference && device.type != DeviceType.CPU) continue;
            IReadOnlyList<string> ran = [];
            var m = Measure(probes, path, device, k => ran = k, tolerance);
            tried.Add(m);
            if (!m.Passed) continue;
            kernels = ran;
            return new NumericsReport(true, path, get_num_threads(), device.ToString(), m.MaxRelativeError, tolerance, probes, tried, kernels,
                PlatformFacts.Here, null, clock.Elapsed.TotalSeconds);
        }
        ConvKernels.Use(order[0]);
        var best = tried.MinBy(t => t.MaxRelativeError)!;
        var why = $"numerics: float32 convolutions disagree with float64 on every path ({string.Join("; ", tried.Select(t => $"{t.Path.Name()}: {Format(t.MaxRelativeError)} at {t.Worst}"))}; " +
                  $"tolerance {tolerance:0e+0}) at {get_num_threads()} thread(s) on {PlatformFacts.Here.Summary}";
        return new NumericsReport(false, null, get_num_threads(), device.ToString(), best.MaxRelativeError, tolerance, probes, tried, kernels,
            PlatformFacts.Here, why, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Measures one path on every probe (the process is left on that path).</summary>
    public static PathMeasurement Measure(IReadOnlyList<NumericsProbe> probes, ConvPath path, Device device, Action<IReadOnlyList<string>>? kernels = null,
        double tolerance = Tolerance)
    {
        var clock = Stopwatch.StartNew();
        ConvKernels.Use(path);
        double max = 0;
        string worst = "";
        var ran = new List<string>();
        foreach (var probe in probes)
        {
            (double err, string where) = (0, "");
            var seen = OneDnnVerbose.Convolutions(() => (err, where) = MeasureProbe(probe, device));
            ran.AddRange(seen);
            if (err > max || worst == "") (max, worst) = (err, $"{probe}: {where}");
        }
        kernels?.Invoke([.. ran.Distinct().Order()]);
        return new PathMeasurement(path, max, worst, max <= tolerance, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Largest relative error of one probe and where it was.</summary>
    static (double Error, string Where) MeasureProbe(NumericsProbe p, Device device)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var rng = new Random(20261204);
        int hr = p.Patch * p.Scale;
        var lr = new float[p.Batch * p.Patch * p.Patch];
        var target = new float[p.Batch * hr * hr];
        for (int i = 0; i < lr.Length; i++) lr[i] = (float)rng.NextDouble();
        for (int i = 0; i < target.Length; i++) target[i] = (float)rng.NextDouble();
        var x32 = tensor(lr, [p.Batch, 1, p.Patch, p.Patch]).to(device);
        var y32 = tensor(target, [p.Batch, 1, hr, hr]).to(device);
        var x64 = x32.to(ScalarType.Float64);
        var y64 = y32.to(ScalarType.Float64);

        // The same weights in both precisions: both networks start from the same generator state, the second is then widened.
        var state = random.get_rng_state();
        random.manual_seed(1234);
        using var net32 = ModelRegistry.Create(p.Method, p.Blocks, p.Filters, p.Scale);
        random.manual_seed(1234);
        using var net64 = ModelRegistry.Create(p.Method, p.Blocks, p.Filters, p.Scale);
        random.set_rng_state(state);
        net32.to(device);
        net64.to(ScalarType.Float64).to(device);

        var (out64, loss64, grads64) = Pass(net64, x64, y64);
        double max = 0;
        string where = "";
        void Compare(Tensor a, Tensor reference, string what)
        {
            var e = RelativeError(a, reference);
            if (e > max || where == "") (max, where) = (e, what);
        }
        for (int r = 0; r < Repeats; r++)
        {
            var (out32, loss32, grads32) = Pass(net32, x32, y32);
            Compare(out32, out64, "output");
            Compare(loss32, loss64, "loss");
            foreach (var (name, g) in grads32) Compare(g, grads64[name], $"gradient of {name}");
        }
        return (max, where);
    }

    static (Tensor Output, Tensor Loss, Dictionary<string, Tensor> Grads) Pass(SrNetwork net, Tensor x, Tensor y)
    {
        net.zero_grad();
        var output = net.forward(x);
        var loss = nn.functional.mse_loss(output, y);
        loss.backward();
        var grads = net.named_parameters().ToDictionary(np => np.name, np => np.parameter.grad!.detach().clone());
        return (output.detach(), loss.detach(), grads);
    }

    /// <summary>||a - b|| / ||b|| in float64; +inf when either holds a non-finite value.</summary>
    static double RelativeError(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var a64 = a.to(ScalarType.Float64);
        if (!a64.isfinite().all().item<bool>()) return double.PositiveInfinity;
        double diff = (a64 - b).norm().item<double>(), norm = b.norm().item<double>();
        return norm > 0 ? diff / norm : diff;
    }

    static string Format(double e) => double.IsFinite(e) ? e.ToString("0.0e+0") : "NaN/Inf";
}
