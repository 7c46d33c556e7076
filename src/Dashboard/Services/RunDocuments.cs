using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dggrn.Dashboard.Services.ReadModels;

namespace Dggrn.Dashboard.Services;

/// <summary>
/// A compared run as one JSON document: its configuration, with the environment it ran in under "environment", and (for
/// the runs table) its outcome under "run". Flattened (<see cref="ConfigDiff"/>) these become the rows of the config diff
/// and the columns of the runs table, so "only differences" hides what every run shares, environment included.
/// </summary>
public static class RunDocuments
{
    /// <summary>The configuration plus "environment" (absent when none was recorded).</summary>
    public static string Settings(TrialFacts t) => Compose(t, outcome: false);

    /// <summary><see cref="Settings"/> plus "run": state, epochs, final PSNR and SSIM, seconds, parameters.</summary>
    public static string WithOutcome(TrialFacts t) => Compose(t, outcome: true);

    static string Compose(TrialFacts t, bool outcome)
    {
        var doc = Parse(t.ConfigJson) as JsonObject ?? new JsonObject { ["config"] = t.ConfigJson };
        if (t.EnvironmentJson is { } env && Parse(env) is { } e) doc["environment"] = e;
        if (outcome)
        {
            var result = t.Result;
            var run = new JsonObject
            {
                ["state"] = t.DisplayState,
                ["epochs"] = t.Epoch,
                ["psnr"] = result is null ? null : Math.Round(result.Overall.Psnr, 4),
                ["ssim"] = result is null ? null : Math.Round(result.Overall.Ssim, 5),
                ["seconds"] = t.Seconds is { } s ? Math.Round(s, 1) : null,
                ["parameters"] = t.Parameters,
            };
            // The outcome first: it is what a reader looks for, and the columns keep the document's order within a level.
            var ordered = new JsonObject { ["run"] = run };
            foreach (var (k, v) in doc.ToList())
            {
                doc.Remove(k);
                ordered[k] = v;
            }
            doc = ordered;
        }
        return doc.ToJsonString();
    }

    static JsonNode? Parse(string json)
    {
        try { return JsonNode.Parse(json); }
        catch (JsonException) { return null; }
    }

    /// <summary>A column header as its group ("dataset", "environment"; none for the outcome "run." and top-level settings)
    /// and the rest of the path ("contentHash", "psnr").</summary>
    public static (string? Group, string Leaf) Header(string path)
    {
        if (path.StartsWith("run.", StringComparison.Ordinal)) return (null, path[4..]);
        var dot = path.IndexOf('.');
        return dot < 0 ? (null, path) : (path[..dot], path[(dot + 1)..]);
    }

    /// <summary>A value with nowhere to break (a hash, a path) that may wrap anywhere rather than widen its column.</summary>
    public static bool IsLongToken(string text) => text.Length > 16 && !text.Any(char.IsWhiteSpace);

    /// <summary>Numbers as the runs table shows them: at most six significant digits.</summary>
    public static string? Cell(string? value) =>
        value is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && value.Length > 8
            ? d.ToString("G6", CultureInfo.InvariantCulture) : value;
}
