using System.Text.RegularExpressions;

namespace Dggrn.Deploy.Tests.Model;

/// <summary>A container image reference split into repository, tag and digest.</summary>
public sealed partial record ImageRef(string Repository, string? Tag, string? Digest)
{
    /// <summary>Parses registry/repo[:tag][@sha256:...].</summary>
    public static ImageRef Parse(string image)
    {
        var at = image.IndexOf('@');
        var digest = at >= 0 ? image[(at + 1)..] : null;
        var name = at >= 0 ? image[..at] : image;
        // A ':' after the last '/' is a tag; one before it is a registry port.
        var colon = name.LastIndexOf(':');
        var tag = colon > name.LastIndexOf('/') ? name[(colon + 1)..] : null;
        var repo = tag is null ? name : name[..colon];
        return new ImageRef(repo, tag, digest);
    }

    /// <summary>
    /// Why the reference is not pinned to a version, or null when it is: a sha256 digest, or a tag that names a
    /// version (contains a digit, as 17.5-bookworm, 10.0.12 and RELEASE.2025-04-22T22-12-26Z do) and is not a moving name.
    /// </summary>
    public string? NotPinnedReason()
    {
        if (Digest is not null)
            return DigestPattern().IsMatch(Digest) ? null : $"digest '{Digest}' is not sha256:<64 hex>";
        if (Tag is null) return "no tag (means :latest)";
        if (MovingTags.Contains(Tag.ToLowerInvariant())) return $"tag '{Tag}' moves";
        if (!Tag.Any(char.IsAsciiDigit)) return $"tag '{Tag}' names no version";
        return null;
    }

    static readonly HashSet<string> MovingTags = ["latest", "stable", "edge", "main", "master", "nightly", "dev", "lts", "current"];

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();
}
