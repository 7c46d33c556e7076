namespace Dggrn.Contracts.Trials;

/// <summary>The one source of the training defaults (the paper's, PROTOCOL.md dggrn-v1): the grid's
/// <see cref="TrainingSettings"/> and the trainer's options both start from these.</summary>
/// <remarks>They feed every trial's identity hash through <see cref="TrainingSettings"/>: change one and identities change.</remarks>
public static class TrainingDefaults
{
    /// <summary>Epochs (65 in the paper).</summary>
    public const int Epochs = 65;
    /// <summary>Patches per optimiser step.</summary>
    public const int BatchSize = 64;
    /// <summary>Adam learning rate at epoch 1.</summary>
    public const double LearningRate = 1e-4;
    /// <summary>Multiply the learning rate by this every <see cref="LrDecayEvery"/> epochs.</summary>
    public const double LrDecay = 0.9;
    /// <summary>Epochs between learning-rate decays.</summary>
    public const int LrDecayEvery = 20;
    /// <summary>LR patch side in pixels; the HR patch is PatchSize * scale.</summary>
    public const int PatchSize = 12;
    /// <summary>Stride between LR patches when cutting training slices.</summary>
    public const int PatchStride = 6;
    /// <summary>Checkpoint every this many epochs (the last epoch always gets one).</summary>
    public const int CheckpointEvery = 1;
    /// <summary>Apply the 8 flips/rotations.</summary>
    public const bool Augment = true;
    /// <summary>Elastic deformation probability per patch (0 disables).</summary>
    public const double ElasticProbability = 0;
    /// <summary>Report the training loss every this many steps.</summary>
    public const int LogEverySteps = 10;
    /// <summary>Evaluation protocol.</summary>
    public const string Protocol = "dggrn-v1";
    /// <summary>Slice axes (0, 1, 2 of the stored array) used for training and for evaluation.</summary>
    public static int[] Axes => [0, 1, 2];
}
