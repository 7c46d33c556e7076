namespace Dggrn.Contracts.Trials;

/// <summary>Everything a worker needs to run one trial, and everything that determines its result.</summary>
public sealed record TrialConfig
{
    /// <summary>Registered method name: "dggrn", "resnet", "bicubic", "noop", ...</summary>
    public required string Method { get; init; }
    public int Blocks { get; init; } = 8;
    public int Filters { get; init; } = 64;
    public int Scale { get; init; } = 2;
    public int Seed { get; init; }
    public required DatasetRef Dataset { get; init; }
    public TrainingSettings Training { get; init; } = new();
    public string Protocol { get; init; } = "dggrn-v1";
    /// <summary>Version of the model code; part of the identity.</summary>
    public string CodeVersion { get; init; } = "";
}
