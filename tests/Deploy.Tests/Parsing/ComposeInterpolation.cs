using System.Text;

namespace Dggrn.Deploy.Tests.Parsing;

/// <summary>
/// Compose's variable interpolation as far as the committed file uses it: <c>$VAR</c>, <c>${VAR}</c>,
/// <c>${VAR:-default}</c>, <c>${VAR-default}</c>, <c>${VAR:?message}</c>, <c>${VAR?message}</c>, nested defaults and <c>$$</c>.
/// </summary>
public sealed class ComposeInterpolation(IReadOnlyDictionary<string, string> variables)
{
    /// <summary>Every variable name a text refers to (including those inside defaults).</summary>
    public static IReadOnlySet<string> VariablesIn(string text)
    {
        var names = new HashSet<string>();
        new ComposeInterpolation(new Dictionary<string, string>()).Resolve(text, names, lenient: true);
        return names;
    }

    /// <summary>The text with every variable replaced; a required variable that is unset throws.</summary>
    public string Resolve(string text) => Resolve(text, new HashSet<string>(), lenient: false);

    string Resolve(string text, HashSet<string> seen, bool lenient)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$') { sb.Append(text[i]); continue; }
            if (i + 1 < text.Length && text[i + 1] == '$') { sb.Append('$'); i++; continue; }
            if (i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = MatchingBrace(text, i + 1);
                sb.Append(Expand(text[(i + 2)..end], seen, lenient));
                i = end;
                continue;
            }
            var j = i + 1;
            while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_')) j++;
            if (j == i + 1) throw new FormatException($"compose interpolation: a lone '$' at {i} in '{text}' (write $$ for a literal $)");
            var name = text[(i + 1)..j];
            seen.Add(name);
            sb.Append(variables.GetValueOrDefault(name, ""));
            i = j - 1;
        }
        return sb.ToString();
    }

    string Expand(string body, HashSet<string> seen, bool lenient)
    {
        var n = 0;
        while (n < body.Length && (char.IsLetterOrDigit(body[n]) || body[n] == '_')) n++;
        var name = body[..n];
        if (name.Length == 0) throw new FormatException($"compose interpolation: '${{{body}}}' has no variable name");
        seen.Add(name);
        var op = body[n..];
        var has = variables.TryGetValue(name, out var value);
        var nonEmpty = has && !string.IsNullOrEmpty(value);
        if (op.Length == 0) return value ?? "";
        if (op.StartsWith(":-")) return nonEmpty ? value! : Resolve(op[2..], seen, lenient);
        if (op.StartsWith('-')) return has ? value! : Resolve(op[1..], seen, lenient);
        if (op.StartsWith(":?") || op.StartsWith('?'))
        {
            var ok = op[0] == ':' ? nonEmpty : has;
            if (ok || lenient) { if (lenient) Resolve(op[(op[0] == ':' ? 2 : 1)..], seen, lenient); return value ?? ""; }
            throw new InvalidOperationException($"compose interpolation: required variable {name} is not set ({op.TrimStart(':', '?')})");
        }
        throw new FormatException($"compose interpolation: unsupported operator in '${{{body}}}'");
    }

    static int MatchingBrace(string text, int open)
    {
        var depth = 0;
        for (var k = open; k < text.Length; k++)
        {
            if (text[k] == '{') depth++;
            else if (text[k] == '}' && --depth == 0) return k;
        }
        throw new FormatException($"compose interpolation: unclosed '${{' in '{text}'");
    }

    /// <summary>Reads a dotenv file (KEY=VALUE lines, # comments).</summary>
    public static Dictionary<string, string> ReadEnvFile(string path)
    {
        var vars = new Dictionary<string, string>();
        foreach (var (line, no) in File.ReadLines(path).Select((l, k) => (l.Trim(), k + 1)))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0) throw new FormatException($"{path}:{no}: expected KEY=VALUE, found '{line}'");
            vars[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return vars;
    }
}
