using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Specs;

/// <summary>The folders a submitted spec may read volumes from (<see cref="OrchestratorOptions.DataRoots"/>), and the
/// symlink-resolving path check that keeps spec paths inside them.</summary>
/// <remarks>
/// A spec comes from any submitter over HTTP, so "../../etc/passwd", "/etc/shadow" or a symlink inside a root that points
/// elsewhere must not make the orchestrator hash (and a worker read) a file the operator did not offer. Paths are compared
/// after every symlink in every component is resolved, so only where a path really leads counts.
/// </remarks>
public sealed class DataRoots(IOptions<OrchestratorOptions> options)
{
    /// <summary>Folders used when <see cref="OrchestratorOptions.DataRoots"/> is empty: "data" under the working directory
    /// (the repository's data/ in local mode) and /data, where the container deployments mount the dataset folder.</summary>
    public static readonly string[] DefaultRoots = ["data", "/data"];

    readonly Lazy<string[]> _roots = new(() =>
    {
        var configured = options.Value.DataRoots.Where(r => !string.IsNullOrWhiteSpace(r)).ToArray();
        return [.. (configured.Length > 0 ? configured : DefaultRoots).Select(r => Canonical(r) ?? Path.GetFullPath(r)).Distinct(StringComparer.Ordinal)];
    });

    /// <summary>The roots, absolute and with symlinks resolved.</summary>
    public IReadOnlyList<string> Roots => _roots.Value;

    /// <summary>True when <paramref name="path"/> (relative to the working directory) really lies inside a root.</summary>
    public bool Contains(string path) => Canonical(path) is { } c && Roots.Any(r => IsInside(c, r));

    static bool IsInside(string path, string root) =>
        path.Equals(root, StringComparison.Ordinal) || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);

    /// <summary>The absolute path with "." and ".." applied and every symlink resolved, component by component (what
    /// realpath(3) does, also for paths that do not exist yet); null for a path that is not valid or loops.</summary>
    public static string? Canonical(string path)
    {
        if (path.Length == 0 || path.Contains('\0')) return null;
        var pending = new List<string>(Split(Path.IsPathRooted(path) ? path : Path.Join(Directory.GetCurrentDirectory(), path)));
        var current = "/";
        int links = 0;
        while (pending.Count > 0)
        {
            var part = pending[0];
            pending.RemoveAt(0);
            if (part == ".") continue;
            if (part == "..") { current = Path.GetDirectoryName(current) ?? "/"; continue; }
            var next = Path.Join(current, part);
            string? target;
            try { target = new FileInfo(next).LinkTarget; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { target = null; }
            if (target is null) { current = next; continue; }
            if (++links > 40) return null;
            // A relative link target is relative to the folder holding the link (current, already canonical).
            pending.InsertRange(0, Split(target));
            if (Path.IsPathRooted(target)) current = "/";
        }
        return current;
    }

    static string[] Split(string p) => p.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
