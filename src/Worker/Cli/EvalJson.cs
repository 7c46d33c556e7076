using System.Text.Json;
using System.Text.Json.Nodes;
using Dggrn.Model.Metrics;

namespace Dggrn.Worker.Cli;

/// <summary>The JSON shapes the model commands print.</summary>
public static class EvalJson
{
    /// <summary>Compact output, one object per line.</summary>
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    /// <summary>{"slices", "psnr", "ssim"} (+ per-slice arrays when asked).</summary>
    public static JsonObject Axis(AxisEvaluation a, bool perSlice)
    {
        var o = new JsonObject { ["slices"] = a.Slices, ["psnr"] = Round(a.Psnr), ["ssim"] = Round(a.Ssim) };
        if (perSlice)
        {
            o["perSlicePsnr"] = new JsonArray(a.PerSlicePsnr.Select(v => (JsonNode?)Round(v)).ToArray());
            o["perSliceSsim"] = new JsonArray(a.PerSliceSsim.Select(v => (JsonNode?)Round(v)).ToArray());
        }
        return o;
    }

    /// <summary>{"axes": {"0": ...}, "overall": ...} without method/volume (the "test" object of train lines).</summary>
    public static JsonObject Metrics(Evaluation e, bool perSlice = false)
    {
        var axes = new JsonObject();
        foreach (var (axis, a) in e.Axes) axes[axis.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Axis(a, perSlice);
        return new JsonObject { ["axes"] = axes, ["overall"] = Axis(e.Overall, perSlice) };
    }

    /// <summary>The full object `eval --json` prints.</summary>
    public static JsonObject Full(Evaluation e, bool perSlice = false)
    {
        var m = Metrics(e, perSlice);
        var o = new JsonObject { ["method"] = e.Method, ["volume"] = e.Volume, ["scale"] = e.Scale, ["protocol"] = e.Protocol };
        o["axes"] = m["axes"]!.DeepClone();
        o["overall"] = m["overall"]!.DeepClone();
        return o;
    }

    /// <summary>JSON has no NaN/Infinity: identical images (infinite PSNR) print as 999, like a capped metric.</summary>
    public static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 6) : v > 0 ? 999 : -999;
}
