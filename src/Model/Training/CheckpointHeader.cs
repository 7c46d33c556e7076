namespace Dggrn.Model.Training;

/// <summary>Everything besides tensors that a checkpoint carries: the trial's configuration and the loop position.</summary>
public sealed record CheckpointHeader
{
    /// <summary>Checkpoint format version.</summary>
    public int Version { get; init; } = 1;
    public string Method { get; init; } = "";
    public int Blocks { get; init; }
    public int Filters { get; init; }
    public int Scale { get; init; }
    public int Seed { get; init; }
    public TrainerOptions Options { get; init; } = new();
    public string[] TrainSources { get; init; } = [];
    public string[] TestSources { get; init; } = [];
    /// <summary>Epoch to run next (1-based).</summary>
    public int Epoch { get; init; } = 1;
    /// <summary>Steps of <see cref="Epoch"/> already done.</summary>
    public int StepInEpoch { get; init; }
    /// <summary>Optimiser steps done in total.</summary>
    public long GlobalStep { get; init; }
    /// <summary>Running sum and count of this epoch's step losses (so a resumed epoch reports the same mean).</summary>
    public double LossSum { get; init; }
    public int LossCount { get; init; }
    /// <summary>Seconds of training already spent in the epoch in progress.</summary>
    public double EpochSeconds { get; init; }
    /// <summary>Best overall test PSNR so far and epochs since it improved (early stop).</summary>
    public double? BestPsnr { get; init; }
    public int EpochsSinceBest { get; init; }
    /// <summary>Mean loss of the last completed epoch.</summary>
    public double LastTrainLoss { get; init; }
    /// <summary>True once early stop ended training (a run that merely reached its last epoch can be extended by resuming with more epochs).</summary>
    public bool EarlyStopped { get; init; }
}
