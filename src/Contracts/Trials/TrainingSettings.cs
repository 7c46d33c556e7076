namespace Dggrn.Contracts.Trials;

/// <summary>Training settings of one trial. Defaults follow ../shared/paper/PROTOCOL.md (dggrn-v1).</summary>
/// <remarks>Everything here is part of the trial identity hash: change a default and identities change.</remarks>
public sealed record TrainingSettings
{
    public int Epochs { get; init; } = 65;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Multiply the learning rate by <see cref="LrDecay"/> every <see cref="LrDecayEvery"/> epochs.</summary>
    public double LrDecay { get; init; } = 0.9;
    public int LrDecayEvery { get; init; } = 20;
    /// <summary>LR patch side in pixels; the HR patch is PatchSize * scale.</summary>
    public int PatchSize { get; init; } = 12;
    /// <summary>Stride between LR patches when cutting training slices.</summary>
    public int PatchStride { get; init; } = 6;
    /// <summary>Optimiser steps per epoch; null means one pass over all training patches.</summary>
    public int? StepsPerEpoch { get; init; }
    /// <summary>Stop when test PSNR has not improved for this many epochs; null disables early stop.</summary>
    public int? EarlyStopPatience { get; init; }
    /// <summary>Write a checkpoint every this many epochs (the last epoch always gets one).</summary>
    public int CheckpointEvery { get; init; } = 1;
    /// <summary>Retention: keep the latest checkpoint plus the best N by test PSNR.</summary>
    public int KeepBest { get; init; } = 1;
    /// <summary>Use the 8 flips/rotations (see docs/decisions.md for the paper's "16").</summary>
    public bool Augment { get; init; } = true;
    /// <summary>Elastic deformation probability per patch (0 disables).</summary>
    public double ElasticProbability { get; init; }
    /// <summary>Slice axes (0, 1, 2 of the stored array) used for training and for evaluation.</summary>
    public int[] TrainAxes { get; init; } = [0, 1, 2];
    public int[] TestAxes { get; init; } = [0, 1, 2];
    /// <summary>Report the training loss every this many steps.</summary>
    public int LogEverySteps { get; init; } = 10;
}
