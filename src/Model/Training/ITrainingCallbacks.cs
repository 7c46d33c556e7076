namespace Dggrn.Model.Training;

/// <summary>What the trainer reports; the worker implements it (no console coupling in src/Model).</summary>
/// <remarks>Callbacks run on the training thread; the trainer waits for each to return.</remarks>
public interface ITrainingCallbacks
{
    /// <summary>Training loss every LogEverySteps global steps.</summary>
    void OnTrainLoss(int epoch, long step, double loss);
    /// <summary>End of an epoch with its test evaluation.</summary>
    void OnEpoch(EpochReport report);
    /// <summary>A checkpoint; must return only once it is durable.</summary>
    void OnCheckpoint(CheckpointBlob checkpoint);
    /// <summary>Example images after an epoch's evaluation.</summary>
    void OnExamples(int epoch, IReadOnlyList<ExampleImage> images);
    /// <summary>A human-readable log line.</summary>
    void OnLog(string line);
    /// <summary>The numerics self-check the trainer ran before the first step (not called when the job brought its own).</summary>
    void OnNumerics(Numerics.NumericsReport report);
}

/// <summary>Callbacks that ignore everything (benchmarks, tests).</summary>
public class NullTrainingCallbacks : ITrainingCallbacks
{
    /// <inheritdoc/>
    public virtual void OnTrainLoss(int epoch, long step, double loss) { }
    /// <inheritdoc/>
    public virtual void OnEpoch(EpochReport report) { }
    /// <inheritdoc/>
    public virtual void OnCheckpoint(CheckpointBlob checkpoint) { }
    /// <inheritdoc/>
    public virtual void OnExamples(int epoch, IReadOnlyList<ExampleImage> images) { }
    /// <inheritdoc/>
    public virtual void OnLog(string line) { }
    /// <inheritdoc/>
    public virtual void OnNumerics(Numerics.NumericsReport report) { }
}
