using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Specs;

/// <summary>A deliberately generous estimate of the device memory one training trial needs.</summary>
/// <remarks>
/// Parameters: about 2 * N * 9 * K^2 for the residual blocks plus the head, GM subnet and upscaler.
/// Each parameter costs four floats (weight, gradient, two Adam moments). Activations: per patch,
/// about (2N + 8) K-channel maps at LR size plus the HR output and K*s*s upscaling maps, kept for the
/// backward pass (x2). A fixed 512 MiB covers the runtime (libtorch, allocator slack, evaluation).
/// </remarks>
public static class MemoryEstimate
{
    const long RuntimeBytes = 512L << 20;

    /// <summary>Estimated bytes for <paramref name="c"/>; 64 MiB for "noop" and "bicubic", 256 MiB for the CPU
    /// reconstructions "nmu" and "lrtv" (a few slice-sized arrays per parallel slice, plus libtorch for LRTV's SVD).</summary>
    public static long Bytes(TrialConfig c)
    {
        if (c.Method is "noop" or "bicubic") return 64L << 20;
        if (c.Method is "nmu" or "lrtv") return 256L << 20;
        long k = c.Filters, n = c.Blocks, s = c.Scale, p = c.Training.PatchSize, b = c.Training.BatchSize;
        if (c.Method is "scsr" or "recnn")
        {
            // Interpolation-first networks: every layer works at HR size, about 2N + 4 K-channel maps of (p s)^2 per patch.
            long hrMap = p * p * s * s * k;
            long convs = 2 * n * 9 * k * k + 2 * 9 * k;
            return RuntimeBytes + 4 * 4 * convs + 4 * 2 * b * ((2 * n + 4) * hrMap + p * p * s * s);
        }
        long parameters = 2 * n * 9 * k * k + 6 * 9 * k * k + 9 * k * k * s * s;
        long lrMap = p * p * k;
        long perPatch = (2 * n + 8) * lrMap + lrMap * s * s + p * p * s * s;
        return RuntimeBytes + 4 * 4 * parameters + 4 * 2 * b * perPatch;
    }
}
