using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Specs;

/// <summary>A parsed, validated grid document (YAML or JSON): datasets, defaults and the blocks to cross.</summary>
public sealed record GridSpec
{
    public required string Name { get; init; }
    public string Protocol { get; init; } = "dggrn-v1";
    public int Priority { get; init; }
    /// <summary>"any", "cpu" or "cuda": which device kind may run the trials.</summary>
    public string Device { get; init; } = "any";
    public required DatasetSpec[] Datasets { get; init; }
    public TrainingSettings Training { get; init; } = new();
    public required GridBlockSpec[] Grid { get; init; }
}

/// <summary>A named dataset. Empty <see cref="Train"/>/<see cref="Test"/> are resolved from server configuration
/// (<c>Datasets:&lt;Name&gt;:Train</c> / <c>:Test</c>).</summary>
public sealed record DatasetSpec(string Name, string Modality, string[] Train, string[] Test, string Path);

/// <summary>One block of the grid: the cross product of its axes, tagged with the tables it feeds.</summary>
public sealed record GridBlockSpec
{
    public required string[] Tables { get; init; }
    public required string[] Methods { get; init; }
    public required string[] Datasets { get; init; }
    public required int[] Blocks { get; init; }
    public required int[] Filters { get; init; }
    public required int[] Scale { get; init; }
    public required int[] Seed { get; init; }
    public required TrainingSettings Training { get; init; }
    /// <summary>Method parameters: method -> (parameter name -> value), e.g. nmu -> {patchRadius: 2}; null when the block has
    /// none. Only trials of that method receive them (<see cref="Dggrn.Contracts.Trials.TrialConfig.Params"/>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? Params { get; init; }
    /// <summary>Document path of the block, e.g. "grid[1]".</summary>
    public required string Path { get; init; }
}
