namespace Dggrn.Checkpoints;

/// <summary>Creates the configured <see cref="ICheckpointStore"/>.</summary>
public static class CheckpointStores
{
    /// <summary>Builds the store <paramref name="options"/> describe; a bad setting throws naming the key.</summary>
    /// <param name="options">The "CheckpointStore" section.</param>
    /// <param name="log">Receives retry notices (a restarting S3 server); null = silent.</param>
    public static ICheckpointStore Create(CheckpointStoreOptions options, Action<string>? log = null) =>
        options.Kind.Trim().ToLowerInvariant() switch
        {
            "local" => new LocalCheckpointStore(options.LocalPath is { Length: > 0 } p ? p : Path.Combine(Environment.CurrentDirectory, "checkpoints")),
            "s3" or "minio" => new S3CheckpointStore(options, log),
            _ => throw new ArgumentException($"CheckpointStore:Kind: expected Local or S3, found '{options.Kind}'"),
        };
}
