using Dggrn.Model.Pipeline;

namespace Dggrn.Model.Classical;

/// <summary>The untrained reconstruction methods "nmu" and "lrtv": parameter handling and per-slice parallel runs.</summary>
public static class ClassicalMethods
{
    /// <summary>Their names.</summary>
    public static readonly IReadOnlyList<string> Names = ["nmu", "lrtv"];

    /// <summary>True for "nmu" or "lrtv" (any case).</summary>
    public static bool IsClassical(string method) => Names.Contains(method.ToLowerInvariant());

    /// <summary>The grid parameters of <paramref name="method"/>.</summary>
    public static IReadOnlyList<ClassicalParameter> ParametersOf(string method) => method.ToLowerInvariant() switch
    {
        "nmu" => NmuOptions.Parameters,
        "lrtv" => LrtvOptions.Parameters,
        _ => throw new ArgumentException($"method: expected one of {string.Join(", ", Names)}, found '{method}'"),
    };

    /// <summary>A single-slice super-resolver for <paramref name="method"/> with <paramref name="parameters"/> (validated now, so a
    /// bad value fails before any slice is loaded).</summary>
    public static Func<Image2D, int, CancellationToken, Image2D> Create(string method, IReadOnlyDictionary<string, double>? parameters)
    {
        switch (method.ToLowerInvariant())
        {
            case "nmu":
                var n = NmuOptions.From(parameters);
                return (lr, s, ct) => NonLocalUpsampler.Upscale(lr, s, n, ct);
            case "lrtv":
                var l = LrtvOptions.From(parameters);
                return (lr, s, ct) => LowRankTvUpsampler.Upscale(lr, s, l, ct);
            default:
                throw new ArgumentException($"method: expected one of {string.Join(", ", Names)}, found '{method}'");
        }
    }

    /// <summary>Runs <paramref name="upscale"/> on every slice's LR image, slices in parallel on at most
    /// <paramref name="threads"/> threads (0: all processors).</summary>
    /// <remarks>Sets libtorch to one intra-op thread (process-wide): the parallelism is over slices, and LRTV's many small
    /// SVDs run up to 35x slower with several torch threads on a loaded machine (measured: 14 ms vs 0.4 ms for 32x32).</remarks>
    public static IReadOnlyList<Image2D> Resolve(IReadOnlyList<SlicePair> slices, int scale, int threads,
        Func<Image2D, int, CancellationToken, Image2D> upscale, CancellationToken ct)
    {
        if (TorchSharp.torch.get_num_threads() != 1) TorchSharp.torch.set_num_threads(1);
        var result = new Image2D[slices.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount, CancellationToken = ct };
        try
        {
            Parallel.For(0, slices.Count, options, i => result[i] = upscale(slices[i].Lr, scale, ct));
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.All(x => x is OperationCanceledException))
        {
            // A slice saw the cancellation first: report it as cancellation, as the trainer does, not as a failure.
            throw new OperationCanceledException("cancelled while reconstructing slices", e, ct);
        }
        return result;
    }
}
