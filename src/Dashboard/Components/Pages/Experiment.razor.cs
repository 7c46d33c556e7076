using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Components.Shared;
using Dggrn.Dashboard.Services;
using Dggrn.Dashboard.Services.ReadModels;
using Microsoft.AspNetCore.Components;

namespace Dggrn.Dashboard.Components.Pages;

/// <summary>One experiment: the grid, Figure 6, every trial's curves and the paper's tables, refreshed as trials move.</summary>
public sealed partial class Experiment : IAsyncDisposable
{
    /// <summary>A Figure 6 panel: one dataset's DGGRN and ResNet curves.</summary>
    sealed record Fig6Panel(string Dataset, IReadOnlyList<SeriesSpec> Series, IReadOnlyList<Guid> Trials);

    // The learning rate is always drawn on a log axis: it is constant or decays by factors, and a linear axis around a
    // constant 1e-3 reads as zero.
    static readonly (string Metric, string Title)[] AllMetrics =
        [("test/psnr", "test PSNR"), ("test/ssim", "test SSIM"), ("train/epoch_loss", "training loss per epoch"), ("lr", "learning rate")];

    [Inject] LabReader Lab { get; set; } = null!;

    /// <summary>Experiment id from the route.</summary>
    [Parameter] public Guid Id { get; set; }

    ExperimentView? _experiment;
    TrialGrid? _grid;
    bool _loaded, _logY, _linearStepLoss, _grouped;
    string _band = "minmax";
    // Cells (every setting but the seed) as of the latest refresh, for the completeness table; the charts keep the first set.
    IReadOnlyList<SeedGroup> _groups = [], _chartGroups = [];
    // Paper cells no trial of this grid feeds, from the scorecard.
    IReadOnlyList<string> _missing = [];
    List<Fig6Panel> _fig6 = [];
    Dictionary<string, IReadOnlyList<SeriesSpec>> _all = [];
    // Per-step training loss of every trial: ~10^5 points each, so drawn by ZoomChart at the chart's resolution.
    IReadOnlyList<SeriesSpec> _stepLoss = [];
    readonly CancellationTokenSource _stop = new();

    int Finished => _experiment!.Trials.Count(t => t.State.IsTerminal());

    bool Live => _experiment!.Trials.Any(t => !t.State.IsTerminal());

    IReadOnlyDictionary<TrialState, int> ByState =>
        _experiment!.Trials.GroupBy(t => t.State).ToDictionary(g => g.Key, g => g.Count());

    // The panel's trials as of the latest refresh (their states move; the set does not).
    IReadOnlyCollection<TrialFacts> Current(IReadOnlyList<Guid> ids) => [.. _experiment!.Trials.Where(t => ids.Contains(t.Id))];

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        if (RendererInfo.IsInteractive) _ = RefreshLoopAsync();
    }

    async Task LoadAsync()
    {
        _experiment = await Lab.GetExperimentAsync(Id, _experiment, _stop.Token);
        _loaded = true;
        if (_experiment is null) return;
        var trials = _experiment.Trials.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        _grid = TrialGrid.Build(trials);
        _groups = SeedGroups.Build(trials);
        if (_all.Count == 0)
        {
            // Curves are fixed once shown; new points stream in, and the trial set of an experiment does not change.
            // Figure 6 is the trials tagged "fig6"; a grid without the tag gets its scale-2 DGGRN/ResNet trials.
            var tagged = trials.Any(t => t.Tables.Contains("fig6"));
            _fig6 = [.. trials.Where(t => t.Method is "dggrn" or "resnet" && (tagged ? t.Tables.Contains("fig6") : t.Scale == 2))
                .GroupBy(t => t.Dataset).OrderBy(g => g.Key)
                .Select(g => new Fig6Panel(g.Key, [.. g.Select(t => new SeriesSpec(t.Id, "test/psnr", Label(t, g),
                    t.Method == "dggrn" ? "#d32f2f" : "#1976d2", t.Seed == 0 ? null : "dot"))], [.. g.Select(t => t.Id)]))];
            _all = AllMetrics.ToDictionary(m => m.Metric,
                m => (IReadOnlyList<SeriesSpec>)trials.Select(t => new SeriesSpec(t.Id, m.Metric, t.Key)).ToList());
            _stepLoss = [.. trials.Select(t => new SeriesSpec(t.Id, "train/loss", t.Key))];
            _chartGroups = _groups;
        }
    }

    void OnScorecard(Scorecard card) =>
        _missing = [.. card.Cells.Where(c => c.Verdict == "missing").Select(c => $"{c.Source}: {string.Join(" ", c.Labels)}").Distinct()];

    static string Label(TrialFacts t, IEnumerable<TrialFacts> group)
    {
        var g = group.ToList();
        var name = t.Method == "dggrn" ? "DGGRN" : "ResNet";
        if (g.Select(x => (x.Blocks, x.Filters)).Distinct().Count() > 1) name += $" N={t.Blocks} K={t.Filters}";
        if (g.Select(x => x.Seed).Distinct().Count() > 1) name += $" s{t.Seed}";
        return name;
    }

    async Task RefreshAsync()
    {
        await LoadAsync();
        await InvokeAsync(StateHasChanged);
    }

    // The matrix, state counts and empty-state texts change as trials move; curves stream on their own.
    async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token)) await RefreshAsync();
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    static string Slug(string s) => string.Concat(s.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-'));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
    }
}
