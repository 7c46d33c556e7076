namespace Dggrn.Model.Classical;

/// <summary>Parameters of non-local MRI upsampling (Manjón et al. 2010); defaults per docs/decisions.md, "NMU and LRTV".</summary>
public sealed record NmuOptions
{
    /// <summary>Patch half-width: patches are (2r+1)^2 (the paper's 3x3x3 patch becomes 3x3 in 2D).</summary>
    public int PatchRadius { get; init; } = 1;
    /// <summary>Search-window half-width: (2r+1)^2 candidates (the paper's 7x7x7 window becomes 7x7).</summary>
    public int SearchRadius { get; init; } = 3;
    /// <summary>Filtering strength h of the first iteration, in intensity units of the [0, 1] slice.</summary>
    public double H { get; init; } = 0.05;
    /// <summary>h is multiplied by this after every iteration (the paper halves it).</summary>
    public double HDecay { get; init; } = 0.5;
    /// <summary>Stop when the mean absolute change of an iteration falls below this.</summary>
    public double Tolerance { get; init; } = 1e-4;
    /// <summary>Upper bound on iterations.</summary>
    public int MaxIterations { get; init; } = 10;

    /// <summary>The parameters by grid name, with their defaults and ranges.</summary>
    public static readonly IReadOnlyList<ClassicalParameter> Parameters =
    [
        new("patchRadius", 1, 1, 3, true, "patch half-width in pixels"),
        new("searchRadius", 3, 1, 10, true, "search-window half-width in pixels"),
        new("h", 0.05, 1e-4, 1, false, "initial filtering strength on [0, 1] intensities"),
        new("hDecay", 0.5, 0.05, 1, false, "factor applied to h after each iteration"),
        new("tolerance", 1e-4, 0, 1, false, "mean absolute change that ends the iteration"),
        new("maxIterations", 10, 1, 100, true, "upper bound on iterations"),
    ];

    /// <summary>Options from a grid block's <c>params</c> (names as in <see cref="Parameters"/>); missing names keep defaults.</summary>
    /// <exception cref="ArgumentException">An unknown name or a value outside its range.</exception>
    public static NmuOptions From(IReadOnlyDictionary<string, double>? values)
    {
        ClassicalParameter.RejectUnknown("nmu", values, Parameters);
        double V(string n) => Parameters.First(p => p.Name == n).Read("nmu", values);
        return new NmuOptions
        {
            PatchRadius = (int)V("patchRadius"), SearchRadius = (int)V("searchRadius"), H = V("h"), HDecay = V("hDecay"),
            Tolerance = V("tolerance"), MaxIterations = (int)V("maxIterations"),
        };
    }
}
