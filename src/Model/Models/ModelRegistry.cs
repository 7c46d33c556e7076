namespace Dggrn.Model.Models;

/// <summary>Methods by name. Trainable networks are built by factories; "bicubic" and "noop" need no network.</summary>
public static class ModelRegistry
{
    static readonly Dictionary<string, Func<int, int, int, SrNetwork>> Networks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["dggrn"] = (n, k, s) => new GuidedResNet(true, n, k, s),
        ["resnet"] = (n, k, s) => new GuidedResNet(false, n, k, s),
        // Baselines on the interpolated input; how N and K map onto each is in docs/decisions.md, "SCSR and ReCNN".
        ["scsr"] = (n, k, s) => new ScsrNet(n, k, s),
        ["recnn"] = (n, k, s) => new ReCnnNet(n, k, s),
    };

    /// <summary>Methods evaluated without training.</summary>
    public static readonly IReadOnlyList<string> Untrained = ["bicubic", "noop"];

    /// <summary>Every known method name.</summary>
    public static IEnumerable<string> Names => Networks.Keys.Concat(Untrained);

    /// <summary>True when <paramref name="method"/> names a trainable network.</summary>
    public static bool IsTrainable(string method) => Networks.ContainsKey(method);

    /// <summary>Adds or replaces a trainable method (for further methods such as SCSR or ReCNN).</summary>
    public static void Register(string method, Func<int, int, int, SrNetwork> factory) => Networks[method] = factory;

    /// <summary>Builds the named network with <paramref name="blocks"/> blocks, <paramref name="filters"/> filters, upscaling <paramref name="scale"/>.</summary>
    public static SrNetwork Create(string method, int blocks, int filters, int scale) =>
        Networks.TryGetValue(method, out var f) ? f(blocks, filters, scale)
            : throw new ArgumentException($"method: expected one of {string.Join(", ", Names)}, found '{method}'");
}
