using System.Globalization;
using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;

namespace Dggrn.Worker.Service.Checkpoints;

/// <summary>Writes checkpoints to the store and proves them before anyone records them.</summary>
/// <remarks>
/// An upload returns only after the store proved it holds exactly the bytes the trainer produced
/// (<see cref="ICheckpointStore.PutVerifiedAsync"/>: a read-back SHA-256 comparison, or for S3 the server's MD5 ETag
/// of the PUT); a mismatch re-uploads (up to <see cref="VerifyAttempts"/> times) and then throws.
/// Object metadata carries the hash and the trial identity; a JSON manifest is written beside it.
/// </remarks>
public sealed class CheckpointUploader(ICheckpointStore store, Action<string> log)
{
    /// <summary>Uploads whose read-back hash differs are retried this many times in all.</summary>
    public const int VerifyAttempts = 3;

    /// <summary>The store behind this uploader.</summary>
    public ICheckpointStore Store => store;

    /// <summary>Stores and verifies one checkpoint that comes without its hashes (hashing it first), then writes its manifest.</summary>
    public Task<CheckpointInfo> UploadAsync(string key, byte[] data, CheckpointIdentity id, int epoch, long step, double? testPsnr, CancellationToken ct) =>
        UploadAsync(key, data, ContentHashes.Of(data), id, epoch, step, testPsnr, ct);

    /// <summary>Stores and verifies one checkpoint whose hashes its producer computed (<see cref="Dggrn.Model.Training.CheckpointCodec.Write"/>),
    /// then writes its manifest; returns the record to send.</summary>
    /// <remarks>
    /// Hashes from the producer make the check end to end: the store must confirm the bytes as they were made, not as this
    /// process last saw them, and wrong hashes fail the upload instead of being recorded.
    /// </remarks>
    public async Task<CheckpointInfo> UploadAsync(string key, byte[] data, ContentHashes hashes, CheckpointIdentity id, int epoch, long step, double? testPsnr, CancellationToken ct)
    {
        var info = new CheckpointInfo(id.Attempt, epoch, step, key, hashes.Sha256, data.LongLength, testPsnr);
        var meta = new Dictionary<string, string>
        {
            [StoreKeys.TrialMetadata] = id.TrialId.ToString(),
            [StoreKeys.IdentityMetadata] = id.Identity,
            ["experiment"] = id.ExperimentId.ToString(),
            ["attempt"] = id.Attempt.ToString(CultureInfo.InvariantCulture),
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
        };
        // The manifest describes the object and depends neither on its upload nor on its check, so it is written alongside
        // (its round trip is hidden behind the object's); what makes a checkpoint count is the record the caller sends
        // after this returns, and a manifest left beside a failed upload is found by the reconciler.
        var manifestPut = PutManifestAsync();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                string? problem;
                // A server that stored other bytes than were sent fails the PUT itself (its ETag); that is a problem to retry too.
                try { problem = await store.PutVerifiedAsync(key, data, meta, hashes, ct); }
                catch (InvalidDataException e) { problem = e.Message; }
                if (problem is null) break;
                if (attempt >= VerifyAttempts)
                    throw new InvalidDataException($"checkpoint {key} in {store.Describe}: {problem} after {attempt} uploads");
                log($"checkpoint {key}: {problem}; uploading again");
            }
        }
        finally
        {
            // Never leave the manifest write running unobserved, whichever way the upload ended.
            await manifestPut.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await manifestPut;
        return info;

        Task PutManifestAsync()
        {
            var manifest = JsonSerializer.SerializeToUtf8Bytes(new CheckpointManifest(id.ExperimentId, id.TrialId, id.Identity, info, DateTimeOffset.UtcNow), OrchestratorClient.Json);
            return store.PutAsync(StoreKeys.Manifest(key), manifest, new Dictionary<string, string> { [StoreKeys.TrialMetadata] = id.TrialId.ToString() }, ct);
        }
    }

    /// <summary>Downloads a checkpoint and checks its hash; null (with the reason) when it is missing or corrupt.</summary>
    public async Task<(byte[]? Data, string? Problem)> DownloadVerifiedAsync(CheckpointInfo c, CancellationToken ct)
    {
        var data = await store.GetAsync(c.Key, ct);
        if (data is null) return (null, $"checkpoint {c.Key} is missing from {store.Describe}");
        var sha = BlobHash.Sha256(data);
        return sha == c.Sha256 ? (data, null) : (null, $"checkpoint {c.Key} failed its SHA-256 check (recorded {c.Sha256}, found {sha})");
    }

    /// <summary>Deletes a checkpoint object and its manifest (objects go before records, so the caller forgets the record after).</summary>
    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        await store.DeleteAsync(key, ct);
        await store.DeleteAsync(StoreKeys.Manifest(key), ct);
    }
}

/// <summary>Who a checkpoint belongs to.</summary>
public sealed record CheckpointIdentity(Guid ExperimentId, Guid TrialId, string Identity, int Attempt);

/// <summary>The JSON manifest stored beside each checkpoint.</summary>
public sealed record CheckpointManifest(Guid ExperimentId, Guid TrialId, string Identity, CheckpointInfo Checkpoint, DateTimeOffset CreatedAt);
