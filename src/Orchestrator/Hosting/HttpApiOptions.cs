namespace Dggrn.Orchestrator.Hosting;

/// <summary>Limits of the orchestrator's HTTP API (section "HttpApi").</summary>
public sealed class HttpApiOptions
{
    /// <summary>Default body limit: 16 MiB, far above a metric batch (thousands of points are a few hundred KiB) or a grid spec.</summary>
    public const long DefaultMaxRequestBytes = 16L << 20;

    /// <summary>Largest request body accepted, in bytes; a larger one is refused with 413 before it is read.</summary>
    public long MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;
}
