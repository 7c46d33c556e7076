using System.Text.Json;

namespace Dggrn.Deploy.Tests.Parsing;

/// <summary>One instruction of a Dockerfile (keyword upper-cased, arguments as written, continuations joined).</summary>
public sealed record DockerInstruction(string Keyword, string Arguments, int Line);

/// <summary>A build stage: its FROM image, optional name, and its instructions.</summary>
public sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    /// <summary>Instructions with a keyword.</summary>
    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);
}

/// <summary>A Dockerfile parsed far enough to check stages, users, copies, environment and entry points.</summary>
public sealed class Dockerfile
{
    /// <summary>Build stages in order.</summary>
    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>ARG defaults declared before the first FROM (they may appear in FROM lines).</summary>
    public IReadOnlyDictionary<string, string> GlobalArgs { get; }

    /// <summary>The path it was read from.</summary>
    public string Path { get; }

    Dockerfile(string path, IReadOnlyList<DockerStage> stages, IReadOnlyDictionary<string, string> globalArgs)
    {
        Path = path; Stages = stages; GlobalArgs = globalArgs;
    }

    /// <summary>Parses a Dockerfile; an instruction before FROM other than ARG fails naming the line.</summary>
    public static Dockerfile Load(string path)
    {
        var instructions = new List<DockerInstruction>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var start = i + 1;
            var text = line;
            while (text.EndsWith('\\') && i + 1 < lines.Length)
            {
                text = text[..^1];
                var next = lines[++i].Trim();
                if (!next.StartsWith('#')) text += " " + next;
            }
            var sp = text.IndexOf(' ');
            instructions.Add(sp < 0
                ? new DockerInstruction(text.ToUpperInvariant(), "", start)
                : new DockerInstruction(text[..sp].ToUpperInvariant(), text[(sp + 1)..].Trim(), start));
        }

        var globals = new Dictionary<string, string>();
        var stages = new List<DockerStage>();
        List<DockerInstruction>? current = null;
        string? image = null, name = null;
        foreach (var ins in instructions)
        {
            if (ins.Keyword == "FROM")
            {
                if (current is not null) stages.Add(new DockerStage(image!, name, current));
                var parts = ins.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                image = Substitute(parts.First(p => !p.StartsWith("--")), globals);
                var asAt = Array.FindIndex(parts, p => p.Equals("AS", StringComparison.OrdinalIgnoreCase));
                name = asAt >= 0 && asAt + 1 < parts.Length ? parts[asAt + 1] : null;
                current = [];
            }
            else if (current is null)
            {
                if (ins.Keyword != "ARG") throw new InvalidDataException($"{path}:{ins.Line}: {ins.Keyword} before the first FROM");
                var eq = ins.Arguments.IndexOf('=');
                globals[eq < 0 ? ins.Arguments : ins.Arguments[..eq]] = eq < 0 ? "" : ins.Arguments[(eq + 1)..];
            }
            else current.Add(ins);
        }
        if (current is not null) stages.Add(new DockerStage(image!, name, current));
        return new Dockerfile(path, stages, globals);
    }

    /// <summary>Names of the variables ENV sets in a stage (both "K=V ..." and the legacy "K V" forms).</summary>
    public static IReadOnlyList<string> EnvNames(DockerStage stage)
    {
        var names = new List<string>();
        foreach (var env in stage.All("ENV"))
        {
            if (!env.Arguments.Contains('=')) { names.Add(env.Arguments.Split(' ')[0]); continue; }
            foreach (var token in env.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (token.IndexOf('=') is > 0 and var eq) names.Add(token[..eq]);
        }
        return names;
    }

    /// <summary>The exec-form (JSON array) arguments of an ENTRYPOINT or CMD, or null for shell form.</summary>
    public static IReadOnlyList<string>? ExecForm(DockerInstruction ins) =>
        ins.Arguments.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(ins.Arguments) : null;

    static string Substitute(string text, IReadOnlyDictionary<string, string> vars)
    {
        foreach (var (k, v) in vars) text = text.Replace("${" + k + "}", v).Replace("$" + k, v);
        return text;
    }
}
