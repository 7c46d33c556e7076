using Dggrn.Model.Checksums;
using Dggrn.Model.Metrics;

namespace Dggrn.Model.Training;

/// <summary>End of one epoch: <paramref name="Step"/> is the global optimiser step at the epoch's end.</summary>
public sealed record EpochReport(int Epoch, long Step, double TrainLoss, double LearningRate, double Seconds, Evaluation Test);

/// <summary>A serialised checkpoint. <paramref name="EndOfEpoch"/> is false for a mid-epoch (cancellation) checkpoint;
/// <paramref name="Epoch"/> is then the epoch in progress, else the epoch just completed. <paramref name="Digest"/> is of
/// <paramref name="Data"/>, computed while it was written.</summary>
public sealed record CheckpointBlob(int Epoch, long Step, byte[] Data, Dggrn.Contracts.Content.ContentHashes Digest, double? TestPsnr, bool EndOfEpoch)
{
    /// <summary>A checkpoint of a freshly encoded training position.</summary>
    public CheckpointBlob(int epoch, long step, EncodedCheckpoint encoded, double? testPsnr, bool endOfEpoch)
        : this(epoch, step, encoded.Data, encoded.Digest, testPsnr, endOfEpoch) { }
}

/// <summary>One example image: <paramref name="Kind"/> is "lr", "bicubic", "sr", "hr", "error" or "gm"; 8-bit grayscale PNG.</summary>
public sealed record ExampleImage(string Kind, int Axis, int Slice, byte[] Png);

/// <summary>Outcome of <see cref="Trainer.Run"/>.</summary>
public sealed record TrainingResult(int Epoch, double TrainLoss, Evaluation Test, long Parameters, double Seconds)
{
    /// <summary>Forward-pass FLOPs per LR pixel of the trained network (0 for untrained methods).</summary>
    public double FlopsPerLrPixel { get; init; }
}
