using System.Collections.Concurrent;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Specs;
using Dggrn.Contracts.Trials;
using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Specs;

/// <summary>Turns a spec's dataset into concrete sources (globs expanded, configuration consulted) and its content hash.</summary>
/// <remarks>
/// A dataset without train/test entries takes them from configuration <c>Datasets:&lt;Name&gt;:Train</c> and
/// <c>:Test</c> (a list, or one string of ';'-separated paths/globs). File hashes are cached by path, size and
/// modification time, so resubmitting the paper grid does not re-read gigabytes. Paths written in the spec itself must
/// lie inside <see cref="DataRoots"/> (checked before the file system is even asked whether they exist); configured
/// paths are the operator's and are trusted.
/// </remarks>
public sealed class DatasetResolver(IConfiguration configuration, IOptions<OrchestratorOptions> options)
{
    readonly DataRoots roots = new(options);

    static readonly ConcurrentDictionary<(string, long, DateTime), string> HashCache = new();

    /// <summary>Resolves <paramref name="d"/>; returns null with errors appended when something is missing.</summary>
    /// <param name="d">The dataset.</param>
    /// <param name="errors">Problems found are appended here.</param>
    /// <param name="hash">False: only check the sources (the spec is refused anyway), do not read files to hash them.</param>
    public DatasetRef? Resolve(DatasetSpec d, List<SpecError> errors, bool hash = true)
    {
        int before = errors.Count;
        var train = Sources(d, "Train", d.Train, errors);
        var test = Sources(d, "Test", d.Test, errors);
        if (errors.Count > before || !hash) return null;
        var trainHashes = Hashes(d, "train", train, errors);
        var testHashes = Hashes(d, "test", test, errors);
        if (errors.Count > before) return null;
        return new DatasetRef { Name = d.Name, Modality = d.Modality, Train = train, Test = test, ContentHash = TrialIdentity.DatasetHash(trainHashes, testHashes) };
    }

    /// <summary>Content hashes of <paramref name="sources"/>; a file that cannot be read (permissions, vanished) is an error.</summary>
    static List<string> Hashes(DatasetSpec d, string part, string[] sources, List<SpecError> errors)
    {
        var result = new List<string>();
        foreach (var s in sources)
        {
            try { result.Add(SourceHash(s)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            { errors.Add(new SpecError($"{d.Path}.{part}", $"{s} cannot be read ({e.GetType().Name})")); }
        }
        return result;
    }

    string[] Sources(DatasetSpec d, string part, string[] declared, List<SpecError> errors)
    {
        var path = $"{d.Path}.{part.ToLowerInvariant()}";
        var patterns = declared;
        bool fromSpec = patterns.Length > 0;
        if (!fromSpec)
        {
            var section = configuration.GetSection($"Datasets:{d.Name}:{part}");
            patterns = section.Value is { Length: > 0 } v
                ? v.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [.. section.GetChildren().Select(x => x.Value).OfType<string>()];
            if (patterns.Length == 0)
            {
                errors.Add(new SpecError(path, $"dataset {d.Name} has no {part.ToLowerInvariant()} volumes: list them in the spec or set " +
                    $"configuration Datasets:{d.Name}:{part} (environment variable Datasets__{d.Name}__{part}) to paths or globs"));
                return [];
            }
            path = $"Datasets:{d.Name}:{part}";
        }
        var result = new List<string>();
        for (int i = 0; i < patterns.Length; i++)
        {
            var p = patterns[i];
            var at = fromSpec ? $"{path}[{i}]" : path;
            if (p.StartsWith("phantom:", StringComparison.Ordinal))
            {
                if (PhantomUris.Problem(p) is { } bad) errors.Add(new SpecError(at, bad)); else result.Add(p);
                continue;
            }
            if (p.Contains('\0')) { errors.Add(new SpecError(at, "expected a file path or glob, found a NUL character")); continue; }
            if (fromSpec && Outside(p) is { } why) { errors.Add(new SpecError(at, why)); continue; }
            List<string> found;
            try { found = Expand(p); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            { errors.Add(new SpecError(at, $"{p} cannot be listed ({e.GetType().Name})")); continue; }
            // A glob inside a root can still reach a symlink that leads out of it.
            var escaping = fromSpec ? found.Where(f => !roots.Contains(f)).ToList() : [];
            if (escaping.Count > 0)
            {
                errors.Add(new SpecError(at, $"{p} matches {escaping.Count} file(s) that lead outside the data roots through a symlink, e.g. {escaping[0]}"));
                continue;
            }
            if (found.Count == 0) errors.Add(new SpecError(at, $"{p} matches no file"));
            // A detached NRRD header names its data file, which a worker then reads: that file must be inside a root too.
            var leaking = fromSpec ? found.Select(f => (File: f, Data: NrrdDataFile(f))).FirstOrDefault(x => x.Data is { } d && !roots.Contains(d)) : default;
            if (leaking.Data is not null)
            {
                errors.Add(new SpecError(at, $"{leaking.File} names the data file {leaking.Data}, which is outside the data roots ({string.Join(", ", roots.Roots)})"));
                continue;
            }
            result.AddRange(found);
        }
        return [.. result];
    }

    /// <summary>Why a spec path or glob may not be used (its folder is outside every data root), or null.</summary>
    string? Outside(string pattern)
    {
        // A glob is judged by its fixed folder, so "/**/*.nii" cannot walk the whole disk first.
        var wild = pattern.IndexOfAny(['*', '?', '[', '{']);
        var fixedPart = wild < 0 ? pattern : pattern[..(pattern.LastIndexOf('/', wild) + 1)];
        if (fixedPart.Length == 0) fixedPart = ".";
        return roots.Contains(fixedPart) ? null
            : $"{pattern} is outside the data roots ({string.Join(", ", roots.Roots)}): spec paths must lie inside Orchestrator:DataRoots " +
              "(or use phantom:seed=N, or configure Datasets:<Name>:Train|Test on the server)";
    }

    /// <summary>The "data file" a detached NRRD header (.nhdr) points to, resolved like the reader does; null otherwise.</summary>
    static string? NrrdDataFile(string path)
    {
        if (!path.EndsWith(".nhdr", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            foreach (var line in File.ReadLines(path).Take(256))
            {
                if (line.Length == 0) break;
                var colon = line.IndexOf(": ", StringComparison.Ordinal);
                if (colon < 0) continue;
                var key = line[..colon].Trim();
                if (!key.Equals("data file", StringComparison.OrdinalIgnoreCase) && !key.Equals("datafile", StringComparison.OrdinalIgnoreCase)) continue;
                var value = line[(colon + 2)..].Trim();
                // "LIST" and printf-style multi-file forms are refused by the reader itself.
                return Path.IsPathRooted(value) ? value : Path.Join(Path.GetDirectoryName(Path.GetFullPath(path)), value);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }

    static List<string> Expand(string pattern)
    {
        if (pattern.IndexOfAny(['*', '?']) < 0) return File.Exists(pattern) ? [Path.GetFullPath(pattern)] : [];
        // Split at the last separator before the first wildcard: that folder is the glob's root.
        var firstWild = pattern.IndexOfAny(['*', '?']);
        var cut = pattern.LastIndexOf('/', firstWild);
        var root = cut < 0 ? "." : pattern[..Math.Max(cut, 1)];
        if (!Directory.Exists(root)) return [];
        var m = new Matcher(StringComparison.Ordinal);
        m.AddInclude(pattern[(cut + 1)..]);
        return [.. m.GetResultsInFullPath(root).Order(StringComparer.Ordinal)];
    }

    static string SourceHash(string source)
    {
        if (source.StartsWith("phantom:", StringComparison.Ordinal)) return TrialIdentity.SourceHash(source);
        var header = FileHash(source);
        // A detached NRRD header holds no voxels: the file it names does, so new voxels must make a new identity too.
        return NrrdDataFile(source) is { } data && File.Exists(data)
            ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{header}+{FileHash(data)}")))
            : header;
    }

    static string FileHash(string path)
    {
        var info = new FileInfo(path);
        return HashCache.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), _ => TrialIdentity.SourceHash(path));
    }
}
