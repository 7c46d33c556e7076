using Dggrn.Contracts.Trials;
using YamlDotNet.RepresentationModel;

namespace Dggrn.Orchestrator.Specs;

/// <summary>Reads a "training" mapping as overrides of a <see cref="TrainingSettings"/> (keys are the camelCase property names).</summary>
internal static class TrainingSettingsReader
{
    static readonly string[] Keys =
    [
        "epochs", "batchSize", "learningRate", "lrDecay", "lrDecayEvery", "patchSize", "patchStride", "stepsPerEpoch",
        "earlyStopPatience", "checkpointEvery", "keepBest", "augment", "elasticProbability", "trainAxes", "testAxes", "logEverySteps",
    ];

    const string Positive = "a positive integer";

    public static TrainingSettings Read(SpecNodeReader r, YamlNode node, string path, TrainingSettings s)
    {
        var m = r.Mapping(node, path, Keys);
        if (m is null) return s;
        foreach (var (key, (n, p)) in m)
        {
            s = key switch
            {
                "epochs" => r.Int(n, p, 1, Positive) is { } v ? s with { Epochs = v } : s,
                "batchSize" => r.Int(n, p, 1, Positive) is { } v ? s with { BatchSize = v } : s,
                "learningRate" => r.Double(n, p, double.Epsilon, 10, "a learning rate in (0, 10]") is { } v ? s with { LearningRate = v } : s,
                "lrDecay" => r.Double(n, p, double.Epsilon, 1, "a decay factor in (0, 1]") is { } v ? s with { LrDecay = v } : s,
                "lrDecayEvery" => r.Int(n, p, 1, Positive) is { } v ? s with { LrDecayEvery = v } : s,
                "patchSize" => r.Int(n, p, 1, Positive) is { } v ? s with { PatchSize = v } : s,
                "patchStride" => r.Int(n, p, 1, Positive) is { } v ? s with { PatchStride = v } : s,
                "stepsPerEpoch" => IsNull(n) ? s with { StepsPerEpoch = null } : r.Int(n, p, 1, Positive) is { } v ? s with { StepsPerEpoch = v } : s,
                "earlyStopPatience" => IsNull(n) ? s with { EarlyStopPatience = null } : r.Int(n, p, 1, Positive) is { } v ? s with { EarlyStopPatience = v } : s,
                "checkpointEvery" => r.Int(n, p, 1, Positive) is { } v ? s with { CheckpointEvery = v } : s,
                "keepBest" => r.Int(n, p, 0, "a non-negative integer") is { } v ? s with { KeepBest = v } : s,
                "augment" => r.Bool(n, p) is { } v ? s with { Augment = v } : s,
                "elasticProbability" => r.Double(n, p, 0, 1, "a probability in [0, 1]") is { } v ? s with { ElasticProbability = v } : s,
                "trainAxes" => s with { TrainAxes = [.. r.List(n, p, (x, q) => Axis(r, x, q))] },
                "testAxes" => s with { TestAxes = [.. r.List(n, p, (x, q) => Axis(r, x, q))] },
                "logEverySteps" => r.Int(n, p, 1, Positive) is { } v ? s with { LogEverySteps = v } : s,
                _ => s,
            };
        }
        return s;
    }

    static int? Axis(SpecNodeReader r, YamlNode n, string p)
    {
        var v = r.Int(n, p, 0, "an axis 0, 1 or 2");
        if (v > 2) { r.Error(p, $"{v} is not an axis 0, 1 or 2"); return null; }
        return v;
    }

    static bool IsNull(YamlNode n) => n is YamlScalarNode { Value: null or "" or "null" or "~" };
}
