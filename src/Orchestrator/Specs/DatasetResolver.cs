using System.Collections.Concurrent;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Grid;
using Dggrn.Contracts.Trials;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Dggrn.Orchestrator.Specs;

/// <summary>Turns a spec's dataset into concrete sources (globs expanded, configuration consulted) and its content hash.</summary>
/// <remarks>
/// A dataset without train/test entries takes them from configuration <c>Datasets:&lt;Name&gt;:Train</c> and
/// <c>:Test</c> (a list, or one string of ';'-separated paths/globs). File hashes are cached by path, size and
/// modification time, so resubmitting the paper grid does not re-read gigabytes.
/// </remarks>
public sealed class DatasetResolver(IConfiguration configuration)
{
    static readonly ConcurrentDictionary<(string, long, DateTime), string> HashCache = new();

    /// <summary>Resolves <paramref name="d"/>; returns null with errors appended when something is missing.</summary>
    public DatasetRef? Resolve(DatasetSpec d, List<SpecError> errors)
    {
        int before = errors.Count;
        var train = Sources(d, "Train", d.Train, errors);
        var test = Sources(d, "Test", d.Test, errors);
        if (errors.Count > before) return null;
        var hash = TrialIdentity.DatasetHash(train.Select(SourceHash), test.Select(SourceHash));
        return new DatasetRef { Name = d.Name, Modality = d.Modality, Train = train, Test = test, ContentHash = hash };
    }

    string[] Sources(DatasetSpec d, string part, string[] declared, List<SpecError> errors)
    {
        var path = $"{d.Path}.{part.ToLowerInvariant()}";
        var patterns = declared;
        if (patterns.Length == 0)
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
        foreach (var p in patterns)
        {
            var found = Expand(p);
            if (found.Count == 0) errors.Add(new SpecError(path, $"{p} matches no file"));
            result.AddRange(found);
        }
        return [.. result];
    }

    static List<string> Expand(string pattern)
    {
        if (pattern.StartsWith("phantom:", StringComparison.Ordinal)) return [pattern];
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
        var info = new FileInfo(source);
        return HashCache.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), _ => TrialIdentity.SourceHash(source));
    }
}
