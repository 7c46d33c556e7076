using System.Globalization;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Specs;

namespace Dggrn.Orchestrator.Specs;

/// <summary>Upper bounds on a parsed grid's sizes, far above the paper's (N &lt;= 12, K &lt;= 128, x4, 12-pixel patches,
/// batch 64) but low enough that no trial is absurd and the memory estimate's integer arithmetic cannot overflow.</summary>
public static class SpecBounds
{
    /// <summary>Most residual blocks per network.</summary>
    public const int MaxBlocks = 256;
    /// <summary>Most filters (feature maps) per layer.</summary>
    public const int MaxFilters = 4096;
    /// <summary>Largest upscaling factor.</summary>
    public const int MaxScale = 8;
    /// <summary>Largest LR patch side in pixels.</summary>
    public const int MaxPatchSize = 256;
    /// <summary>Largest batch.</summary>
    public const int MaxBatchSize = 65_536;

    /// <summary>Appends an error with its document path for every value of <paramref name="spec"/> above a bound.</summary>
    public static void Check(GridSpec spec, List<SpecError> errors)
    {
        void Over(string path, int value, int max, string what)
        {
            if (value > max)
                errors.Add(new SpecError(path, $"{value.ToString(CultureInfo.InvariantCulture)} exceeds the limit of {max.ToString(CultureInfo.InvariantCulture)} ({what})"));
        }
        Over("training.patchSize", spec.Training.PatchSize, MaxPatchSize, "pixels per LR patch side");
        Over("training.batchSize", spec.Training.BatchSize, MaxBatchSize, "patches per batch");
        foreach (var b in spec.Grid)
        {
            for (int i = 0; i < b.Blocks.Length; i++) Over($"{b.Path}.blocks[{i}]", b.Blocks[i], MaxBlocks, "residual blocks");
            for (int i = 0; i < b.Filters.Length; i++) Over($"{b.Path}.filters[{i}]", b.Filters[i], MaxFilters, "filters");
            for (int i = 0; i < b.Scale.Length; i++) Over($"{b.Path}.scale[{i}]", b.Scale[i], MaxScale, "largest scale");
            // A block's training settings start from the top-level ones: report a value only where it was written.
            if (b.Training.PatchSize != spec.Training.PatchSize) Over($"{b.Path}.training.patchSize", b.Training.PatchSize, MaxPatchSize, "pixels per LR patch side");
            if (b.Training.BatchSize != spec.Training.BatchSize) Over($"{b.Path}.training.batchSize", b.Training.BatchSize, MaxBatchSize, "patches per batch");
        }
    }
}
