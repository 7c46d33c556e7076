using System.Text;

namespace Dggrn.Model.Volumes;

/// <summary>A volume file is truncated, corrupt or uses something this reader does not support.</summary>
public sealed class VolumeFormatException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Builds the one-line "what/where/expected/found" message used by every reader.</summary>
    public static VolumeFormatException Field(string path, string field, string expected, string found) =>
        new($"{path}: {field}: expected {expected}, found {found}");

    /// <summary>Text from a file, quoted for a one-line message: control and non-ASCII bytes as \xNN, cut at 60 characters.</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder("'");
        foreach (var c in text.Length > 60 ? text[..60] : text)
            if (c is >= ' ' and <= '~') sb.Append(c); else sb.Append($"\\x{(int)c & 0xFF:X2}");
        sb.Append(text.Length > 60 ? "'..." : "'");
        return sb.ToString();
    }
}
