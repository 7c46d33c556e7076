using System.Globalization;

namespace Dggrn.Orchestrator.Specs;

/// <summary>Checks "phantom:seed=N[,grid=XxYxZ]" sources when a spec is submitted, so a typo fails at once with its
/// document path instead of in every trial on a worker.</summary>
/// <remarks>The rules are src/Model's Phantom.FromUri (the orchestrator does not load the model library): an integer
/// seed is required, a grid has three sizes of 16..512.</remarks>
public static class PhantomUris
{
    /// <summary>Why <paramref name="uri"/> is not a valid phantom source, or null when it is.</summary>
    public static string? Problem(string uri)
    {
        bool seed = false;
        foreach (var part in uri["phantom:".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            switch (kv[0].ToLowerInvariant())
            {
                case "seed" when kv.Length == 2 && int.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out _):
                    seed = true;
                    break;
                case "grid" when kv.Length == 2 && kv[1].Split('x') is { Length: 3 } d
                                 && d.All(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 16 and <= 512):
                    break;
                default:
                    return $"expected phantom:seed=N or phantom:seed=N,grid=XxYxZ (sizes 16..512), found '{uri}' ('{part}' is not understood)";
            }
        }
        return seed ? null : $"expected phantom:seed=N or phantom:seed=N,grid=XxYxZ (sizes 16..512), found '{uri}' (no seed)";
    }
}
