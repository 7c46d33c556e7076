namespace Dggrn.Contracts.Trials;

/// <summary>A named dataset as a trial sees it: resolved volume sources.</summary>
/// <remarks>
/// A source is a file path (NIfTI, NRRD, BrainWeb raw, MINC2) or a synthetic phantom URI
/// "phantom:seed=N[,grid=XxYxZ]" that the worker generates deterministically.
/// </remarks>
public sealed record DatasetRef
{
    public required string Name { get; init; }
    public string Modality { get; init; } = "T2";
    public required string[] Train { get; init; }
    public required string[] Test { get; init; }
    /// <summary>SHA-256 over the sources' contents (or the phantom URI), computed at submit.</summary>
    public string ContentHash { get; init; } = "";
}
