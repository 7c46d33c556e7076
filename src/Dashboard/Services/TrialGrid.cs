using System.Globalization;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Services.ReadModels;

namespace Dggrn.Dashboard.Services;

/// <summary>One cell of the trial matrix: the trials (one per seed) sharing a row and a column.</summary>
public sealed record GridCell(IReadOnlyList<TrialFacts> Trials)
{
    /// <summary>Best PSNR over the cell's trials, or null.</summary>
    public double? BestPsnr => Trials.Max(t => t.BestPsnr);

    /// <summary>The state that best describes the cell: any active state first, then failure, then done.</summary>
    public TrialState State => Trials.Count == 0 ? TrialState.Pending
        : new[] { TrialState.Running, TrialState.Leased, TrialState.Failed, TrialState.Pending, TrialState.Cancelled, TrialState.Succeeded }
            .First(s => Trials.Any(t => t.State == s));

    /// <summary>The cell's state as users read it: "Diverged" when its failure is a divergence.</summary>
    public string Label => TrialStates.Display(State, State == TrialState.Failed && Trials.Any(t => t.State == TrialState.Failed && t.Diverged));
}

/// <summary>
/// The experiment's trials laid out by its axes: rows are the data axes that vary (dataset, scale), columns the
/// model axes that vary (method, blocks, filters); seeds share a cell.
/// </summary>
public sealed class TrialGrid
{
    /// <summary>Names of the row axes, e.g. ["dataset", "scale"].</summary>
    public required IReadOnlyList<string> RowAxes { get; init; }

    /// <summary>Names of the column axes, e.g. ["method", "blocks"].</summary>
    public required IReadOnlyList<string> ColumnAxes { get; init; }

    /// <summary>Row labels (one value per row axis).</summary>
    public required IReadOnlyList<string[]> Rows { get; init; }

    /// <summary>Column labels (one value per column axis).</summary>
    public required IReadOnlyList<string[]> Columns { get; init; }

    /// <summary>Cells[row][column]; a cell with no trials is an empty combination.</summary>
    public required GridCell[][] Cells { get; init; }

    static readonly (string Name, Func<TrialFacts, string> Value, Func<TrialFacts, IComparable> Order)[] RowCandidates =
    [
        ("dataset", t => t.Dataset, t => t.Dataset),
        ("scale", t => "×" + t.Scale.ToString(CultureInfo.InvariantCulture), t => t.Scale),
    ];

    static readonly (string Name, Func<TrialFacts, string> Value, Func<TrialFacts, IComparable> Order)[] ColumnCandidates =
    [
        ("method", t => t.Method, t => t.Method),
        ("blocks", t => "N=" + t.Blocks.ToString(CultureInfo.InvariantCulture), t => t.Blocks),
        ("filters", t => "K=" + t.Filters.ToString(CultureInfo.InvariantCulture), t => t.Filters),
    ];

    /// <summary>Lays out <paramref name="trials"/>; an axis that has one value across the experiment is left out.</summary>
    public static TrialGrid Build(IReadOnlyCollection<TrialFacts> trials)
    {
        var rowAxes = RowCandidates.Where(a => trials.Select(a.Value).Distinct().Count() > 1).ToArray();
        var colAxes = ColumnCandidates.Where(a => trials.Select(a.Value).Distinct().Count() > 1).ToArray();
        // Keep at least one axis on each side so a one-trial experiment still shows a labelled cell.
        if (rowAxes.Length == 0) rowAxes = [RowCandidates[0]];
        if (colAxes.Length == 0) colAxes = [ColumnCandidates[0]];

        string Key(TrialFacts t, IEnumerable<(string, Func<TrialFacts, string> V, Func<TrialFacts, IComparable>)> axes) =>
            string.Join("\u001f", axes.Select(a => a.V(t)));

        List<string[]> Labels(IReadOnlyList<(string Name, Func<TrialFacts, string> Value, Func<TrialFacts, IComparable> Order)> axes)
        {
            IOrderedEnumerable<TrialFacts>? ordered = null;
            foreach (var a in axes) ordered = ordered is null ? trials.OrderBy(a.Order) : ordered.ThenBy(a.Order);
            return ordered!.Select(t => axes.Select(a => a.Value(t)).ToArray())
                .DistinctBy(l => string.Join("\u001f", l)).ToList();
        }

        var rows = Labels(rowAxes);
        var cols = Labels(colAxes);
        var rowIndex = rows.Select((l, i) => (string.Join("\u001f", l), i)).ToDictionary(p => p.Item1, p => p.i);
        var colIndex = cols.Select((l, i) => (string.Join("\u001f", l), i)).ToDictionary(p => p.Item1, p => p.i);
        var buckets = rows.Select(_ => cols.Select(_ => new List<TrialFacts>()).ToArray()).ToArray();
        foreach (var t in trials.OrderBy(t => t.Seed)) buckets[rowIndex[Key(t, rowAxes)]][colIndex[Key(t, colAxes)]].Add(t);

        return new TrialGrid
        {
            RowAxes = rowAxes.Select(a => a.Name).ToArray(),
            ColumnAxes = colAxes.Select(a => a.Name).ToArray(),
            Rows = rows,
            Columns = cols,
            Cells = buckets.Select(r => r.Select(c => new GridCell(c)).ToArray()).ToArray(),
        };
    }
}
