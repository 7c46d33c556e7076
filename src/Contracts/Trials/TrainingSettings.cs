namespace Dggrn.Contracts.Trials;

/// <summary>Training settings of one trial. Defaults follow ../shared/paper/PROTOCOL.md (dggrn-v1).</summary>
/// <remarks>Everything here is part of the trial identity hash: change a default and identities change.</remarks>
public sealed record TrainingSettings
{
    public int Epochs { get; init; } = TrainingDefaults.Epochs;
    public int BatchSize { get; init; } = TrainingDefaults.BatchSize;
    public double LearningRate { get; init; } = TrainingDefaults.LearningRate;
    /// <summary>Multiply the learning rate by <see cref="LrDecay"/> every <see cref="LrDecayEvery"/> epochs.</summary>
    public double LrDecay { get; init; } = TrainingDefaults.LrDecay;
    public int LrDecayEvery { get; init; } = TrainingDefaults.LrDecayEvery;
    /// <summary>LR patch side in pixels; the HR patch is PatchSize * scale.</summary>
    public int PatchSize { get; init; } = TrainingDefaults.PatchSize;
    /// <summary>Stride between LR patches when cutting training slices.</summary>
    public int PatchStride { get; init; } = TrainingDefaults.PatchStride;
    /// <summary>Optimiser steps per epoch; null means one pass over all training patches.</summary>
    public int? StepsPerEpoch { get; init; }
    /// <summary>Stop when test PSNR has not improved for this many epochs; null disables early stop.</summary>
    public int? EarlyStopPatience { get; init; }
    /// <summary>Write a checkpoint every this many epochs (the last epoch always gets one).</summary>
    public int CheckpointEvery { get; init; } = TrainingDefaults.CheckpointEvery;
    /// <summary>Retention: keep the latest checkpoint plus the best N by test PSNR.</summary>
    public int KeepBest { get; init; } = 1;
    /// <summary>Use the 8 flips/rotations (see docs/decisions.md for the paper's "16").</summary>
    public bool Augment { get; init; } = TrainingDefaults.Augment;
    /// <summary>Elastic deformation probability per patch (0 disables).</summary>
    public double ElasticProbability { get; init; } = TrainingDefaults.ElasticProbability;
    /// <summary>Slice axes (0, 1, 2 of the stored array) used for training and for evaluation.</summary>
    public int[] TrainAxes { get; init; } = TrainingDefaults.Axes;
    public int[] TestAxes { get; init; } = TrainingDefaults.Axes;
    /// <summary>Report the training loss every this many steps.</summary>
    public int LogEverySteps { get; init; } = TrainingDefaults.LogEverySteps;
}
