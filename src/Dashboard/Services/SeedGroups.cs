using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Services.ReadModels;

namespace Dggrn.Dashboard.Services;

/// <summary>Mean, sample standard deviation and count of a value over a cell's seeds.</summary>
public readonly record struct SeedStat(double Mean, double? Std, int N)
{
    /// <summary>The statistics of <paramref name="values"/>; null when there are none.</summary>
    public static SeedStat? Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return null;
        var mean = values.Average();
        double? std = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : null;
        return new SeedStat(mean, std, values.Count);
    }

    /// <summary>"37.21 ± 0.20 (n=3)" with <paramref name="decimals"/> decimals.</summary>
    public string Text(int decimals)
    {
        var f = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        return Mean.ToString(f, CultureInfo.InvariantCulture) + (Std is { } s ? " ± " + s.ToString(f, CultureInfo.InvariantCulture) : "") +
               $" (n={N})";
    }
}

/// <summary>
/// One cell of a grid: the trials that share every setting but the seed. Its final test PSNR and SSIM over the seeds that
/// succeeded, and how its seeds stand.
/// </summary>
public sealed record SeedGroup(string Key, string Label, IReadOnlyList<TrialFacts> Trials)
{
    /// <summary>Final test PSNR over the succeeded seeds.</summary>
    public SeedStat? Psnr => SeedStat.Of([.. Results.Select(r => r.Overall.Psnr)]);

    /// <summary>Final test SSIM over the succeeded seeds.</summary>
    public SeedStat? Ssim => SeedStat.Of([.. Results.Select(r => r.Overall.Ssim)]);

    IEnumerable<EvalResult> Results => Trials.Where(t => t.State == TrialState.Succeeded).Select(t => t.Result).OfType<EvalResult>();

    /// <summary>Seeds that succeeded.</summary>
    public int Succeeded => Trials.Count(t => t.State == TrialState.Succeeded);

    /// <summary>Seeds by state as users see it ("Diverged" apart from "Failed").</summary>
    public IReadOnlyDictionary<string, int> ByState => Trials.GroupBy(t => t.DisplayState).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>How complete the cell is, a problem first: "diverged", "failed", "running", "waiting", "cancelled" or "complete".</summary>
    public string Status =>
        Trials.Any(t => t.State == TrialState.Failed && t.Diverged) ? "diverged"
        : Trials.Any(t => t.State == TrialState.Failed) ? "failed"
        : Trials.Any(t => t.State is TrialState.Running or TrialState.Leased) ? "running"
        : Trials.Any(t => t.State == TrialState.Pending) ? "waiting"
        : Trials.Any(t => t.State == TrialState.Cancelled) ? "cancelled"
        : "complete";
}

/// <summary>Groups trials by everything that determines their result except the seed.</summary>
public static class SeedGroups
{
    /// <summary>The cells of <paramref name="trials"/>, in trial-key order; each label names the method, network, scale and
    /// dataset, plus whatever else tells two cells apart (e.g. a learning rate).</summary>
    public static IReadOnlyList<SeedGroup> Build(IEnumerable<TrialFacts> trials)
    {
        var groups = trials.OrderBy(t => t.Key, StringComparer.Ordinal).GroupBy(t => KeyOf(t.ConfigJson)).ToList();
        var labels = groups.ToDictionary(g => g.Key, g => Label(g.First()));
        // Cells that would read the same get the settings that differ between them appended.
        foreach (var clash in groups.GroupBy(g => labels[g.Key]).Where(c => c.Count() > 1))
        {
            var keys = clash.Select(g => g.Key).ToList();
            var diffs = ConfigDiff.Compute(keys);
            for (var i = 0; i < keys.Count; i++)
                labels[keys[i]] += " · " + string.Join(", ", diffs.Select(d => $"{d.Path}={d.Values[i] ?? "—"}"));
        }
        return [.. groups.Select(g => new SeedGroup(g.Key, labels[g.Key], [.. g.OrderBy(t => t.Seed)]))];
    }

    /// <summary>"DGGRN N=8 K=64 ×2 NAMIC"; evaluation-only methods have no network.</summary>
    public static string Label(TrialFacts t)
    {
        var method = t.Method.ToLowerInvariant() switch
        {
            "dggrn" => "DGGRN", "resnet" => "ResNet", "bicubic" => "Bicubic", "scsr" => "SCSR", "recnn" => "ReCNN", "nmu" => "NMU", "lrtv" => "LRTV",
            _ => t.Method,
        };
        var network = t.Blocks > 0 || t.Filters > 0 ? $" N={t.Blocks} K={t.Filters}" : "";
        return $"{method}{network} ×{t.Scale} {t.Dataset}";
    }

    /// <summary>The configuration without its seed, keys sorted at every level, so equal settings give equal text.</summary>
    public static string KeyOf(string configJson)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(configJson); }
        catch (JsonException) { return configJson; }
        if (node is JsonObject o) o.Remove("seed");
        return Canonical(node)?.ToJsonString() ?? "null";
    }

    static JsonNode? Canonical(JsonNode? n) => n switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        _ => n?.DeepClone(),
    };
}
