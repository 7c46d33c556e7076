namespace Dggrn.Checkpoints;

/// <summary>Which checkpoint store to use (configuration section "CheckpointStore").</summary>
public sealed class CheckpointStoreOptions
{
    /// <summary>"Local" (filesystem, the local-mode default) or "S3" (MinIO or any S3-protocol server).</summary>
    public string Kind { get; set; } = "Local";

    /// <summary>Root folder of the local store; default ./checkpoints under the current directory.</summary>
    public string? LocalPath { get; set; }

    /// <summary>S3 endpoint as host:port (no scheme).</summary>
    public string? Endpoint { get; set; }

    /// <summary>S3 access key.</summary>
    public string? AccessKey { get; set; }

    /// <summary>S3 secret key (never logged).</summary>
    public string? SecretKey { get; set; }

    /// <summary>Bucket; created when missing.</summary>
    public string Bucket { get; set; } = "dggrn";

    /// <summary>Use HTTPS to the S3 endpoint.</summary>
    public bool UseSsl { get; set; }

    /// <summary>S3 region; MinIO ignores it.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Per-request timeout, sized for the largest checkpoint at the slowest expected link.</summary>
    public int RequestTimeoutSeconds { get; set; } = 300;

    /// <summary>How long a whole operation keeps retrying transient failures (server restarting) before giving up.</summary>
    public int RetryForSeconds { get; set; } = 120;
}
