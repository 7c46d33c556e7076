using Dggrn.Contracts.Trials;

namespace Dggrn.Model.Training;

/// <summary>Training settings of one trial; defaults follow the paper and dggrn-v1.</summary>
public sealed record TrainerOptions
{
    /// <summary>Number of epochs (65 in the paper).</summary>
    public int Epochs { get; init; } = TrainingDefaults.Epochs;
    /// <summary>Patches per optimiser step.</summary>
    public int BatchSize { get; init; } = TrainingDefaults.BatchSize;
    /// <summary>Adam learning rate at epoch 1.</summary>
    public double LearningRate { get; init; } = TrainingDefaults.LearningRate;
    /// <summary>Multiply the learning rate by this every <see cref="LrDecayEvery"/> epochs.</summary>
    public double LrDecay { get; init; } = TrainingDefaults.LrDecay;
    /// <summary>Epochs between learning-rate decays.</summary>
    public int LrDecayEvery { get; init; } = TrainingDefaults.LrDecayEvery;
    /// <summary>LR patch side; the HR patch side is PatchSize * scale.</summary>
    public int PatchSize { get; init; } = TrainingDefaults.PatchSize;
    /// <summary>Stride between LR patches.</summary>
    public int PatchStride { get; init; } = TrainingDefaults.PatchStride;
    /// <summary>Optimiser steps per epoch; null means one pass over all training patches.</summary>
    public int? StepsPerEpoch { get; init; }
    /// <summary>Stop when test PSNR has not improved for this many epochs; null disables early stop.</summary>
    public int? EarlyStopPatience { get; init; }
    /// <summary>Checkpoint every this many epochs (the last epoch always gets one).</summary>
    public int CheckpointEvery { get; init; } = TrainingDefaults.CheckpointEvery;
    /// <summary>Apply one of the 8 flips/rotations to each patch.</summary>
    public bool Augment { get; init; } = TrainingDefaults.Augment;
    /// <summary>Probability of elastic deformation per patch (0 disables).</summary>
    public double ElasticProbability { get; init; } = TrainingDefaults.ElasticProbability;
    /// <summary>Slice axes used for training patches.</summary>
    public int[] TrainAxes { get; init; } = TrainingDefaults.Axes;
    /// <summary>Slice axes used for evaluation.</summary>
    public int[] TestAxes { get; init; } = TrainingDefaults.Axes;
    /// <summary>Report the training loss every this many global steps.</summary>
    public int LogEverySteps { get; init; } = TrainingDefaults.LogEverySteps;
    /// <summary>Torch intra-op threads; 0 keeps torch's default.</summary>
    public int Threads { get; init; }
    /// <summary>"cpu", "cuda", "cuda:N" or "auto".</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Evaluation protocol name.</summary>
    public string Protocol { get; init; } = TrainingDefaults.Protocol;
    /// <summary>Example images per evaluation (0 disables).</summary>
    public int ExampleSlices { get; init; } = 3;
}
