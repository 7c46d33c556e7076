namespace Dggrn.Orchestrator.Specs;

/// <summary>The methods a grid may name and the parameters each accepts in a block's <c>params</c> map.</summary>
/// <remarks>The model library validates the same names and ranges again when a trial runs (Dggrn.Model.Classical:
/// NmuOptions/LrtvOptions.Parameters); this copy lets the orchestrator refuse a bad spec at submission without loading
/// the model library.</remarks>
public static class MethodParameters
{
    /// <summary>Methods that do not train: blocks, filters, seed and training settings cannot change their result.</summary>
    public static readonly string[] Untrained = ["bicubic", "nmu", "lrtv"];

    /// <summary>True when <paramref name="method"/> is evaluated without training (see <see cref="Untrained"/>).</summary>
    public static bool IsUntrained(string method) => Untrained.Contains(method);

    /// <summary>Parameter name -> (min, max, integer) per method; a method not listed takes no parameters.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, (double Min, double Max, bool Integer)>> ByMethod =
        new Dictionary<string, IReadOnlyDictionary<string, (double, double, bool)>>
        {
            ["nmu"] = new Dictionary<string, (double, double, bool)>
            {
                ["patchRadius"] = (1, 3, true), ["searchRadius"] = (1, 10, true), ["h"] = (1e-4, 1, false),
                ["hDecay"] = (0.05, 1, false), ["tolerance"] = (0, 1, false), ["maxIterations"] = (1, 100, true),
            },
            ["lrtv"] = new Dictionary<string, (double, double, bool)>
            {
                ["lambdaRank"] = (0, 10, false), ["lambdaTv"] = (0, 10, false), ["rho"] = (1e-6, 100, false),
                ["tvEpsilon"] = (1e-6, 1, false), ["innerIterations"] = (1, 1000, true), ["tolerance"] = (0, 1, false),
                ["maxIterations"] = (1, 10000, true),
            },
        };
}
