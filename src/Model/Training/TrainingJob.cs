namespace Dggrn.Model.Training;

/// <summary>One trial to train and evaluate.</summary>
public sealed record TrainingJob
{
    /// <summary>Method name: a registered network ("dggrn", "resnet", ...), "bicubic", "nmu", "lrtv" or "noop".</summary>
    public required string Method { get; init; }
    /// <summary>Residual blocks N.</summary>
    public int Blocks { get; init; } = 8;
    /// <summary>Filters K.</summary>
    public int Filters { get; init; } = 64;
    /// <summary>Upscaling factor s.</summary>
    public int Scale { get; init; } = 2;
    /// <summary>Seed for weights, patch order, augmentation.</summary>
    public int Seed { get; init; }
    /// <summary>Training volume sources (paths or phantom URIs).</summary>
    public IReadOnlyList<string> TrainSources { get; init; } = [];
    /// <summary>Test volume sources.</summary>
    public IReadOnlyList<string> TestSources { get; init; } = [];
    /// <summary>Training settings.</summary>
    public TrainerOptions Options { get; init; } = new();
    /// <summary>Method parameters by name (e.g. "patchRadius" for nmu), or null for the method's defaults; only the
    /// classical methods take any (see <see cref="Classical.ClassicalMethods"/>).</summary>
    public IReadOnlyDictionary<string, double>? Params { get; init; }
    /// <summary>Checkpoint bytes to resume from (from <see cref="ITrainingCallbacks.OnCheckpoint"/>), or null to start fresh.</summary>
    public byte[]? Resume { get; init; }
    /// <summary>A numerics check this process already passed for this job (<see cref="NumericsGuard.Ensure"/>), or null to have the
    /// trainer run it before the first step.</summary>
    public Numerics.NumericsReport? Numerics { get; init; }
}
