namespace Dggrn.Model.Volumes;

/// <summary>A volume file is truncated, corrupt or uses something this reader does not support.</summary>
public sealed class VolumeFormatException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Builds the one-line "what/where/expected/found" message used by every reader.</summary>
    public static VolumeFormatException Field(string path, string field, string expected, string found) =>
        new($"{path}: {field}: expected {expected}, found {found}");
}
