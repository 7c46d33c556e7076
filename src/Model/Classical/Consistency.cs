namespace Dggrn.Model.Classical;

/// <summary>The mean-preserving (back-projection) constraint D x = y, generalised from NMU's block means to the
/// dggrn-v1 degradation: the orthogonal projection onto {x : D x = y}, alone or alternated with the [0, 1] box.</summary>
/// <remarks>For NMU's own model (D = block averaging) the orthogonal projection is exactly "add the block's mean
/// error to every pixel of the block"; with the Gaussian blur it is x + D^T (D D^T)^-1 (y - D x), solved by conjugate
/// gradients on the LR grid (relative residual 1e-10; D D^T is small, sparse and well conditioned: diagonal for s &gt;= 3 away from borders).</remarks>
public static class Consistency
{
    /// <summary>Orthogonal projection of <paramref name="x"/> onto {x : D x = y}; returns a new array.</summary>
    public static double[] Project(DegradationOperator d, double[] x, double[] y, double tolerance = 1e-10, int maxIterations = 100)
    {
        var dx = d.Apply(x);
        var b = new double[y.Length];
        for (int i = 0; i < b.Length; i++) b[i] = y[i] - dx[i];
        var lambda = SolveNormal(d, b, tolerance, maxIterations);
        var corr = d.Adjoint(lambda);
        var o = new double[x.Length];
        for (int i = 0; i < o.Length; i++) o[i] = x[i] + corr[i];
        return o;
    }

    /// <summary>Alternating projections onto {D x = y} and [0, 1] (both convex; the true HR image lies in both), ending
    /// in the box: the result is a valid image whose degradation matches <paramref name="y"/> up to what the box forbids.</summary>
    public static double[] ProjectInBox(DegradationOperator d, double[] x, double[] y, int rounds)
    {
        var cur = x;
        for (int k = 0; k < rounds; k++)
        {
            cur = Project(d, cur, y);
            bool inside = true;
            for (int i = 0; i < cur.Length; i++)
                if (cur[i] < 0 || cur[i] > 1) { cur[i] = Math.Clamp(cur[i], 0, 1); inside = false; }
            if (inside) break;
        }
        return cur;
    }

    /// <summary>Largest |D x - y|.</summary>
    public static double MaxResidual(DegradationOperator d, double[] x, double[] y)
    {
        var dx = d.Apply(x);
        double m = 0;
        for (int i = 0; i < y.Length; i++) m = Math.Max(m, Math.Abs(dx[i] - y[i]));
        return m;
    }

    /// <summary>Solves (D D^T) z = b by conjugate gradients.</summary>
    static double[] SolveNormal(DegradationOperator d, double[] b, double tolerance, int maxIterations)
    {
        var z = new double[b.Length];
        var r = (double[])b.Clone();
        var p = (double[])b.Clone();
        double rr = Dot(r, r), stop = tolerance * tolerance * Math.Max(1e-300, rr);
        for (int it = 0; it < maxIterations && rr > stop && rr > 0; it++)
        {
            var ap = d.Apply(d.Adjoint(p));
            double alpha = rr / Dot(p, ap);
            for (int i = 0; i < z.Length; i++) { z[i] += alpha * p[i]; r[i] -= alpha * ap[i]; }
            double rrNew = Dot(r, r);
            double beta = rrNew / rr;
            for (int i = 0; i < p.Length; i++) p[i] = r[i] + beta * p[i];
            rr = rrNew;
        }
        return z;
    }

    static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
