namespace Dggrn.Orchestrator.Reports;

/// <summary>Wilcoxon signed-rank test for paired samples (two-sided).</summary>
/// <remarks>
/// Zero differences are dropped; tied |differences| get average ranks. With at most 30 non-zero pairs and no ties
/// the p-value is exact (the null distribution of W+ counted over all 2^n sign patterns); otherwise it uses the
/// normal approximation with tie-corrected variance and a continuity correction of 0.5.
/// </remarks>
public static class SignedRankTest
{
    /// <summary>Result: number of non-zero pairs, W+, two-sided p, and whether p is exact.</summary>
    public readonly record struct Result(int N, double WPlus, double PValue, bool Exact);

    /// <summary>Tests a[i] - b[i] against a symmetric distribution around zero.</summary>
    public static Result Test(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired samples differ in length: {a.Count} vs {b.Count}");
        var d = a.Zip(b, (x, y) => x - y).Where(x => x != 0).ToArray();
        int n = d.Length;
        if (n == 0) return new Result(0, 0, 1, true);
        var order = d.Select((x, i) => (Abs: Math.Abs(x), i)).OrderBy(x => x.Abs).ToArray();
        var ranks = new double[n];
        bool ties = false;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && order[j + 1].Abs == order[i].Abs) j++;
            if (j > i) ties = true;
            for (int k = i; k <= j; k++) ranks[order[k].i] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        double wPlus = Enumerable.Range(0, n).Where(i => d[i] > 0).Sum(i => ranks[i]);
        if (!ties && n <= 30) return new Result(n, wPlus, ExactP(n, (int)wPlus), true);

        double mean = n * (n + 1) / 4.0;
        double tieTerm = order.GroupBy(x => x.Abs).Sum(g => Math.Pow(g.Count(), 3) - g.Count());
        double sd = Math.Sqrt(n * (n + 1) * (2 * n + 1) / 24.0 - tieTerm / 48.0);
        double z = (Math.Abs(wPlus - mean) - 0.5) / sd;
        return new Result(n, wPlus, Math.Min(1, 2 * (1 - NormalCdf(Math.Max(0, z)))), false);
    }

    /// <summary>Two-sided exact p: 2 * min(P(W &lt;= w), P(W &gt;= w)) under the null, capped at 1.</summary>
    static double ExactP(int n, int w)
    {
        int max = n * (n + 1) / 2;
        var count = new double[max + 1];
        count[0] = 1;
        for (int r = 1; r <= n; r++)
            for (int s = max; s >= r; s--) count[s] += count[s - r];
        double total = Math.Pow(2, n);
        double lower = count.Take(w + 1).Sum() / total;
        double upper = count.Skip(w).Sum() / total;
        return Math.Min(1, 2 * Math.Min(lower, upper));
    }

    /// <summary>Standard normal CDF via erfc (Numerical Recipes' Chebyshev fit, |error| &lt; 1.2e-7).</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
