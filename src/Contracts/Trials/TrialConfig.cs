using System.Text.Json.Serialization;

namespace Dggrn.Contracts.Trials;

/// <summary>Everything a worker needs to run one trial, and everything that determines its result.</summary>
public sealed record TrialConfig
{
    /// <summary>Method name: "dggrn", "resnet", "scsr", "recnn", "bicubic", "nmu", "lrtv", "noop".</summary>
    public required string Method { get; init; }
    public int Blocks { get; init; } = 8;
    public int Filters { get; init; } = 64;
    public int Scale { get; init; } = 2;
    public int Seed { get; init; }
    public required DatasetRef Dataset { get; init; }
    public TrainingSettings Training { get; init; } = new();
    public string Protocol { get; init; } = TrainingDefaults.Protocol;
    /// <summary>Parameters of the method by name (e.g. "patchRadius" for "nmu"; see the orchestrator's MethodParameters), or
    /// null for the method's defaults. Omitted from JSON when null, so every trial without parameters keeps its identity.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, double>? Params { get; init; }
    /// <summary>Version of the model code; part of the identity.</summary>
    public string CodeVersion { get; init; } = "";
}
