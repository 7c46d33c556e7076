using Dggrn.Model.Pipeline;

namespace Dggrn.Model.Metrics;

/// <summary>dggrn-v1 step 8: scores a super-resolver on kept slices, per axis and pooled.</summary>
public static class Evaluator
{
    /// <summary>Super-resolves every slice with <paramref name="superResolve"/> (LR slices in, SR slices of HR size out,
    /// already clipped to [0, 1]) and reports PSNR/SSIM means per axis and over all slices.</summary>
    public static Evaluation Evaluate(string method, string volume, int scale, string protocol,
        IReadOnlyList<SlicePair> slices, Func<IReadOnlyList<SlicePair>, IReadOnlyList<Image2D>> superResolve)
    {
        var psnr = new double[slices.Count];
        var ssim = new double[slices.Count];
        // Slices of one axis share a shape, so resolvers can batch them; group by (volume, axis).
        foreach (var group in slices.Select((s, i) => (s, i)).GroupBy(p => (p.s.Volume, p.s.Axis)))
        {
            var items = group.ToList();
            var sr = superResolve(items.Select(p => p.s).ToList());
            Parallel.For(0, items.Count, n =>
            {
                psnr[items[n].i] = Psnr.Compute(sr[n], items[n].s.Hr);
                ssim[items[n].i] = Ssim.Compute(sr[n], items[n].s.Hr);
            });
        }
        var axes = new SortedDictionary<int, AxisEvaluation>();
        foreach (var axis in slices.Select(s => s.Axis).Distinct().Order())
        {
            var idx = Enumerable.Range(0, slices.Count).Where(i => slices[i].Axis == axis).ToArray();
            axes[axis] = AxisEvaluation.From(idx.Select(i => psnr[i]).ToArray(), idx.Select(i => ssim[i]).ToArray());
        }
        return new Evaluation(method, volume, scale, protocol, axes, AxisEvaluation.From(psnr, ssim));
    }

    /// <summary>The bicubic baseline resolver.</summary>
    public static IReadOnlyList<Image2D> BicubicResolver(IReadOnlyList<SlicePair> slices, int scale) =>
        slices.Select(s => Bicubic.Upscale(s.Lr, scale)).ToList();
}
