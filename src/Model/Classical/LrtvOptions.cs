namespace Dggrn.Model.Classical;

/// <summary>Parameters of LRTV (Shi et al. 2015); defaults per docs/decisions.md, "NMU and LRTV".</summary>
public sealed record LrtvOptions
{
    /// <summary>Weight of the nuclear norm (low-rank term).</summary>
    public double LambdaRank { get; init; } = 0.01;
    /// <summary>Weight of total variation.</summary>
    public double LambdaTv { get; init; } = 0.01;
    /// <summary>ADMM penalty rho; singular values are shrunk by LambdaRank / rho.</summary>
    public double Rho { get; init; } = 0.01;
    /// <summary>Smoothing of |grad x| as sqrt(|grad x|^2 + eps^2), so the X subproblem is differentiable.</summary>
    public double TvEpsilon { get; init; } = 0.01;
    /// <summary>Gradient-descent steps of the X subproblem per ADMM iteration.</summary>
    public int InnerIterations { get; init; } = 10;
    /// <summary>Stop when both ||X_k - X_k-1|| / ||X_k-1|| and ||X_k - M_k|| / ||M_k|| fall below this.</summary>
    public double Tolerance { get; init; } = 1e-4;
    /// <summary>Upper bound on ADMM iterations.</summary>
    public int MaxIterations { get; init; } = 50;

    /// <summary>The parameters by grid name, with their defaults and ranges.</summary>
    public static readonly IReadOnlyList<ClassicalParameter> Parameters =
    [
        new("lambdaRank", 0.01, 0, 10, false, "weight of the low-rank (nuclear norm) term"),
        new("lambdaTv", 0.01, 0, 10, false, "weight of the total-variation term"),
        new("rho", 0.01, 1e-6, 100, false, "ADMM penalty parameter"),
        new("tvEpsilon", 0.01, 1e-6, 1, false, "smoothing of the TV norm"),
        new("innerIterations", 10, 1, 1000, true, "gradient steps per ADMM iteration"),
        new("tolerance", 1e-4, 0, 1, false, "relative change that ends the iteration"),
        new("maxIterations", 50, 1, 10000, true, "upper bound on ADMM iterations"),
    ];

    /// <summary>Options from a grid block's <c>params</c> (names as in <see cref="Parameters"/>); missing names keep defaults.</summary>
    /// <exception cref="ArgumentException">An unknown name or a value outside its range.</exception>
    public static LrtvOptions From(IReadOnlyDictionary<string, double>? values)
    {
        ClassicalParameter.RejectUnknown("lrtv", values, Parameters);
        double V(string n) => Parameters.First(p => p.Name == n).Read("lrtv", values);
        return new LrtvOptions
        {
            LambdaRank = V("lambdaRank"), LambdaTv = V("lambdaTv"), Rho = V("rho"), TvEpsilon = V("tvEpsilon"),
            InnerIterations = (int)V("innerIterations"), Tolerance = V("tolerance"), MaxIterations = (int)V("maxIterations"),
        };
    }
}
