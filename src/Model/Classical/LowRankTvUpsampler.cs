using Dggrn.Model.Pipeline;
using static TorchSharp.torch;

namespace Dggrn.Model.Classical;

/// <summary>LRTV (Shi et al., IEEE TMI 2015) on one 2D slice: minimise
/// ||D x - y||^2 + lambdaRank ||x||_* + lambdaTv TV(x) by ADMM with the split x = m, as the paper does: an x step by
/// gradient descent on the data, TV and augmented terms, an m step by singular value thresholding, a dual update.</summary>
/// <remarks>D is the dggrn-v1 degradation. In 2D the paper's tensor trace norm (a weighted sum of the nuclear norms of
/// the volume's unfoldings) reduces to the nuclear norm of the slice matrix, since both unfoldings of a matrix are it and
/// its transpose. TV is isotropic with forward differences, replicated edge, smoothed by epsilon.</remarks>
public static class LowRankTvUpsampler
{
    /// <summary>Upscales <paramref name="lr"/> by <paramref name="scale"/>; the result is clipped to [0, 1].</summary>
    public static Image2D Upscale(Image2D lr, int scale, LrtvOptions o, CancellationToken ct = default) =>
        Upscale(lr, scale, o, out _, ct);

    /// <summary>As <see cref="Upscale(Image2D, int, LrtvOptions, CancellationToken)"/>, also returning the ADMM iterations run.</summary>
    public static Image2D Upscale(Image2D lr, int scale, LrtvOptions o, out int iterations, CancellationToken ct = default)
    {
        int H = lr.Height * scale, W = lr.Width * scale, n = H * W;
        var d = new DegradationOperator(H, W, scale);
        var x = Bicubic.Upscale(lr, scale).Data;
        var m = (double[])x.Clone();
        var u = new double[n];
        // ||D||^2 <= 1 (a normalised blur, then a selection), TV_eps has curvature <= 8 / eps, the augmented term rho.
        double step = 1.0 / (2 + 8 * o.LambdaTv / o.TvEpsilon + o.Rho);
        var grad = new double[n];
        iterations = 0;
        for (int k = 0; k < o.MaxIterations; k++)
        {
            ct.ThrowIfCancellationRequested();
            var previous = (double[])x.Clone();
            for (int j = 0; j < o.InnerIterations; j++)
            {
                var res = d.Apply(x);
                for (int i = 0; i < res.Length; i++) res[i] -= lr.Data[i];
                var data = d.Adjoint(res);
                Array.Clear(grad);
                if (o.LambdaTv > 0) AddTvGradient(x, H, W, o.TvEpsilon, o.LambdaTv, grad);
                for (int i = 0; i < n; i++) x[i] -= step * (grad[i] + 2 * data[i] + o.Rho * (x[i] - m[i] + u[i]));
            }
            var v = new double[n];
            for (int i = 0; i < n; i++) v[i] = x[i] + u[i];
            m = o.LambdaRank > 0 ? ShrinkSingularValues(v, H, W, o.LambdaRank / o.Rho) : v;
            for (int i = 0; i < n; i++) u[i] += x[i] - m[i];
            iterations = k + 1;
            // ADMM's stopping rule: x has stopped moving and agrees with its low-rank copy m (primal residual).
            if (RelativeChange(x, previous) < o.Tolerance && RelativeChange(x, m) < o.Tolerance) break;
        }
        for (int i = 0; i < n; i++) x[i] = Math.Clamp(x[i], 0, 1);
        return new Image2D(H, W, x);
    }

    /// <summary>Adds weight * d/dx sum sqrt(gx^2 + gy^2 + eps^2) (forward differences, zero past the last row/column) to <paramref name="grad"/>.</summary>
    public static void AddTvGradient(double[] x, int h, int w, double eps, double weight, double[] grad)
    {
        var px = new double[x.Length];
        var py = new double[x.Length];
        double e2 = eps * eps;
        for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++)
        {
            int i = r * w + c;
            double gx = c + 1 < w ? x[i + 1] - x[i] : 0, gy = r + 1 < h ? x[i + w] - x[i] : 0;
            double mag = Math.Sqrt(gx * gx + gy * gy + e2);
            px[i] = gx / mag;
            py[i] = gy / mag;
        }
        // d/dx_i of sum_j sqrt(...)_j: -px[i] - py[i] from pixel i's own differences, +px[i-1] and +py[i-w] from its neighbours'.
        for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++)
        {
            int i = r * w + c;
            double g = -px[i] - py[i];
            if (c > 0) g += px[i - 1];
            if (r > 0) g += py[i - w];
            grad[i] += weight * g;
        }
    }

    /// <summary>Singular value thresholding: U max(S - tau, 0) V^T of the h x w matrix <paramref name="v"/>.</summary>
    public static double[] ShrinkSingularValues(double[] v, int h, int w, double tau)
    {
        using var scope = NewDisposeScope();
        var a = tensor(v, [h, w], ScalarType.Float64);
        var (U, S, Vh) = linalg.svd(a, fullMatrices: false);
        // An explicit Scalar held to the end of the scope: an implicit double -> Scalar temporary may be finalized by the GC
        // while libtorch still reads it (seen as "Unknown scalar type" with slices solved on several threads at once).
        using var threshold = (TorchSharp.Scalar)tau;
        var shrunk = nn.functional.relu(S - threshold);
        var m = U.matmul(diag(shrunk)).matmul(Vh);
        return m.contiguous().data<double>().ToArray();
    }

    static double RelativeChange(double[] x, double[] previous)
    {
        double num = 0, den = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double t = x[i] - previous[i];
            num += t * t;
            den += previous[i] * previous[i]; // previous: the reference point
        }
        return den == 0 ? (num == 0 ? 0 : double.PositiveInfinity) : Math.Sqrt(num / den);
    }
}
