namespace Dggrn.Model.Volumes;

/// <summary>Loads any supported volume source: a file path (by extension) or a "phantom:" URI.</summary>
public static class VolumeLoader
{
    /// <summary>Loads <paramref name="source"/>; throws <see cref="VolumeFormatException"/> with a one-line reason on bad input.</summary>
    public static Volume Load(string source)
    {
        if (Phantom.IsPhantomUri(source)) return Phantom.FromUri(source);
        var lower = source.ToLowerInvariant();
        if (lower.EndsWith(".nii") || lower.EndsWith(".nii.gz")) return NiftiReader.Read(source);
        if (lower.EndsWith(".nrrd") || lower.EndsWith(".nhdr")) return NrrdReader.Read(source);
        if (lower.EndsWith(".rawb") || lower.EndsWith(".raws") || lower.Contains(".rawb?") || lower.Contains(".raws?")) return BrainWebRawReader.Read(source);
        if (lower.EndsWith(".mnc")) return MincReader.Read(source);
        throw new VolumeFormatException($"{source}: format: expected .nii, .nii.gz, .nrrd, .nhdr, .rawb, .raws, .mnc or phantom:seed=N, found '{Path.GetExtension(source)}'");
    }

    /// <summary>A short display name for a source (file name, or the phantom URI itself).</summary>
    public static string DisplayName(string source) => Phantom.IsPhantomUri(source) ? source : Path.GetFileName(source);
}
