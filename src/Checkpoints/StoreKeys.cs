namespace Dggrn.Checkpoints;

/// <summary>The layout of keys in the checkpoint store (shared by worker and dashboard).</summary>
public static class StoreKeys
{
    /// <summary>Prefix of every object of one trial.</summary>
    public static string Trial(Guid experimentId, Guid trialId) => $"experiments/{experimentId}/trials/{trialId}/";

    /// <summary>Checkpoint key. Mid-epoch checkpoints (drain, cancel) carry their step so they never collide with the epoch's own.</summary>
    public static string Checkpoint(Guid experimentId, Guid trialId, int attempt, int epoch, long? midEpochStep = null) =>
        $"{Trial(experimentId, trialId)}attempt-{attempt}/epoch-{epoch}" + (midEpochStep is { } s ? $"-step-{s}" : "") + ".ckpt";

    /// <summary>The JSON manifest stored beside a checkpoint.</summary>
    public static string Manifest(string checkpointKey) =>
        checkpointKey.EndsWith(".ckpt", StringComparison.Ordinal) ? checkpointKey[..^5] + ".json" : checkpointKey + ".json";

    /// <summary>Example image key; kinds are lr, bicubic, sr, hr, error, gm (gm may carry a channel suffix, e.g. gm-3).</summary>
    public static string Image(Guid experimentId, Guid trialId, int epoch, string kind, int axis, int slice) =>
        $"{Trial(experimentId, trialId)}images/epoch-{epoch}/{kind}-axis{axis}-slice{slice}.png";

    /// <summary>Metadata key holding the SHA-256 (lower-case hex) of the object's content.</summary>
    public const string Sha256Metadata = "sha256";

    /// <summary>Metadata key holding the trial id.</summary>
    public const string TrialMetadata = "trial";

    /// <summary>Metadata key holding the trial identity hash.</summary>
    public const string IdentityMetadata = "identity";
}
