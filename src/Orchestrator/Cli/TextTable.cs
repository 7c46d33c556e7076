namespace Dggrn.Orchestrator.Cli;

/// <summary>Left-aligned plain-text columns for terminal output.</summary>
public sealed class TextTable(params string[] headers)
{
    readonly List<string[]> _rows = [];

    /// <summary>Adds a row (missing cells print empty).</summary>
    public TextTable Add(params string?[] cells)
    {
        _rows.Add(cells.Select(c => c ?? "").ToArray());
        return this;
    }

    /// <summary>Writes headers and rows, two spaces between columns.</summary>
    public void WriteTo(TextWriter w)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        void Line(IReadOnlyList<string> cells) =>
            w.WriteLine(string.Join("  ", widths.Select((width, i) => (i < cells.Count ? cells[i] : "").PadRight(width))).TrimEnd());
        Line(headers);
        foreach (var r in _rows) Line(r);
    }
}
