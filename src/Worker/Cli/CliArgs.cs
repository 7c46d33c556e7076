using System.Globalization;

namespace Dggrn.Worker.Cli;

/// <summary>A small GNU-style argument reader: positionals, `--flag`, `--key value`, and `--key v1 v2 ...` lists.</summary>
public sealed class CliArgs
{
    readonly Dictionary<string, List<string>> options = new(StringComparer.Ordinal);
    readonly HashSet<string> used = new(StringComparer.Ordinal);

    /// <summary>Arguments that are not options, in order.</summary>
    public List<string> Positionals { get; } = [];

    /// <summary>Parses <paramref name="args"/>; a value list runs until the next argument starting with "--".</summary>
    public CliArgs(IEnumerable<string> args)
    {
        List<string>? current = null;
        foreach (var a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = a.IndexOf('=');
                var key = eq > 0 ? a[2..eq] : a[2..];
                if (!options.TryGetValue(key, out current)) options[key] = current = [];
                if (eq > 0) { current.Add(a[(eq + 1)..]); current = null; }
            }
            else if (current is not null) current.Add(a);
            else Positionals.Add(a);
        }
    }

    /// <summary>True when --<paramref name="key"/> was given.</summary>
    public bool Flag(string key) { used.Add(key); return options.ContainsKey(key); }

    /// <summary>All values of --<paramref name="key"/> (empty when absent).</summary>
    public IReadOnlyList<string> List(string key) { used.Add(key); return options.TryGetValue(key, out var v) ? v : []; }

    /// <summary>The single value of --<paramref name="key"/>, or null.</summary>
    public string? String(string key)
    {
        var v = List(key);
        return v.Count switch { 0 => null, 1 => v[0], _ => throw new CliException($"--{key}: expected one value, found {v.Count}") };
    }

    /// <summary>A required single value.</summary>
    public string Required(string key) => String(key) ?? throw new CliException($"--{key}: required");

    /// <summary>An integer option.</summary>
    public int? Int(string key) => String(key) is { } s
        ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new CliException($"--{key}: expected an integer, found '{s}'")
        : null;

    /// <summary>A floating-point option.</summary>
    public double? Double(string key) => String(key) is { } s
        ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : throw new CliException($"--{key}: expected a number, found '{s}'")
        : null;

    /// <summary>A comma-separated integer list such as "0,1,2".</summary>
    public int[]? IntList(string key) => String(key) is { } s
        ? s.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => int.TryParse(x, out var n) ? n : throw new CliException($"--{key}: expected integers like 0,1,2, found '{s}'")).ToArray()
        : null;

    /// <summary>Fails on options nobody asked for (typos must not pass silently).</summary>
    public void RejectUnknown()
    {
        var unknown = options.Keys.Where(k => !used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new CliException($"unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}");
    }
}

/// <summary>Bad command-line input; printed as one line, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
