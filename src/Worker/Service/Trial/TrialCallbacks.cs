using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Worker.Service.Checkpoints;
using Dggrn.Model.Training;

namespace Dggrn.Worker.Service.Trial;

/// <summary>Turns the trainer's callbacks into metric batches, verified checkpoints, example images and log lines.</summary>
/// <remarks>
/// Callbacks run on the training thread and block it: a checkpoint callback returns only once the checkpoint
/// is verified in the store and recorded with the orchestrator (the trainer's contract for OnCheckpoint).
/// Uploads ignore the trial's cancellation token on purpose: a cancel or drain asks for exactly that checkpoint.
/// </remarks>
public sealed class TrialCallbacks(
    LeaseGrant grant,
    OrchestratorClient client,
    CheckpointUploader uploader,
    MetricJournal metrics,
    ITrialHost host,
    CancellationToken stopping) : ITrainingCallbacks
{
    readonly Action<string> log = host.Log;
    static readonly TimeSpan RecordRetryFor = TimeSpan.FromMinutes(10);
    readonly CheckpointIdentity _id = new(grant.ExperimentId, grant.TrialId, grant.Identity, grant.Attempt);

    /// <summary>Epoch and step of the newest progress seen.</summary>
    public (int Epoch, long Step) Position { get; private set; }

    /// <summary>The newest checkpoint recorded by this attempt.</summary>
    public CheckpointInfo? LastCheckpoint { get; private set; }

    /// <inheritdoc />
    public void OnTrainLoss(int epoch, long step, double loss)
    {
        Advance(epoch, step);
        metrics.Add(new MetricPoint("train/loss", step, epoch, loss, DateTimeOffset.UtcNow));
        Failpoint.Hit(Failpoint.AtStep, step, stopping);
    }

    /// <inheritdoc />
    public void OnEpoch(EpochReport r)
    {
        Failpoint.Hit(Failpoint.InEvaluation, r.Epoch);
        Advance(r.Epoch, r.Step);
        metrics.Add(TrainingMapping.EpochPoints(r, DateTimeOffset.UtcNow));
        metrics.Seal();
        log($"epoch {r.Epoch} step {r.Step}: loss {r.TrainLoss:G5}, test PSNR {r.Test.Overall.Psnr:F3} dB, SSIM {r.Test.Overall.Ssim:F4}, {r.Seconds:F1} s");
    }

    /// <inheritdoc />
    public void OnCheckpoint(CheckpointBlob c) => SaveCheckpointAsync(c).GetAwaiter().GetResult();

    /// <inheritdoc />
    public void OnExamples(int epoch, IReadOnlyList<ExampleImage> images) => SaveExamplesAsync(epoch, images).GetAwaiter().GetResult();

    /// <inheritdoc />
    public void OnLog(string line)
    {
        host.Progress(Position.Epoch, Position.Step);
        log(line);
    }

    /// <inheritdoc/>
    /// <remarks>The trial process checks numerics before it reports the start (the report carries the result), so the trainer
    /// does not run it again; nothing to do here.</remarks>
    public void OnNumerics(Dggrn.Model.Numerics.NumericsReport report) { }

    void Advance(int epoch, long step)
    {
        Position = (epoch, step);
        host.Progress(epoch, step);
    }

    async Task SaveCheckpointAsync(CheckpointBlob c)
    {
        var key = StoreKeys.Checkpoint(grant.ExperimentId, grant.TrialId, grant.Attempt, c.Epoch, c.EndOfEpoch ? null : c.Step);
        var started = DateTimeOffset.UtcNow;
        var info = await uploader.UploadAsync(key, c.Data, c.Digest, _id, c.Epoch, c.Step, c.TestPsnr, CancellationToken.None);
        host.Progress(Position.Epoch, Position.Step);
        Failpoint.Hit(Failpoint.AfterCheckpointPut, c.Epoch);
        CheckpointRecordResponse response;
        try
        {
            response = await Reliably.CallAsync($"record checkpoint {key}",
                t => client.RecordCheckpointAsync(grant.TrialId, new CheckpointRecordRequest(grant.LeaseId, info), t), log, CancellationToken.None, RecordRetryFor);
        }
        catch (OrchestratorException e) when (!OrchestratorClient.IsTransient(e))
        {
            // The lease is no longer live (cancelled, paused, lapsed): nobody will record this object, so do not leave it behind.
            log($"checkpoint {key} not recorded ({e.Message}); deleting the object");
            await uploader.DeleteAsync(key, CancellationToken.None);
            if (stopping.IsCancellationRequested) return;
            throw new LeaseLostException(e.Message);
        }
        LastCheckpoint = info;
        log($"checkpoint epoch {c.Epoch} step {c.Step}: {info.SizeBytes >> 10} KiB verified in {(DateTimeOffset.UtcNow - started).TotalSeconds:F1} s ({key})");
        foreach (var old in response.Delete)
        {
            try { await uploader.DeleteAsync(old, CancellationToken.None); }
            catch (Exception e) { log($"retention: deleting {old} failed ({e.Message}); the reconcile pass will find it"); }
        }
    }

    async Task SaveExamplesAsync(int epoch, IReadOnlyList<ExampleImage> images)
    {
        // Example images are for people, not for results: a failure is logged and training goes on.
        foreach (var img in images)
        {
            var key = StoreKeys.Image(grant.ExperimentId, grant.TrialId, epoch, img.Kind, img.Axis, img.Slice);
            try
            {
                await uploader.Store.PutAsync(key, img.Png, new Dictionary<string, string>
                {
                    [StoreKeys.Sha256Metadata] = BlobHash.Sha256(img.Png),
                    [StoreKeys.TrialMetadata] = grant.TrialId.ToString(),
                }, CancellationToken.None);
                await Reliably.CallAsync($"record image {key}", t => client.ArtifactAsync(grant.TrialId,
                    new ArtifactRecordRequest(grant.LeaseId, epoch, img.Kind, img.Axis, img.Slice, key), t), log, CancellationToken.None, TimeSpan.FromMinutes(1));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                log($"example image {key} not stored: {e.Message}");
            }
        }
    }
}

/// <summary>The orchestrator refused a report because this attempt's lease is no longer live.</summary>
public sealed class LeaseLostException(string message) : Exception(message);
