using System.Globalization;
using System.Runtime.InteropServices;
using Dggrn.Orchestrator.Queries;
using Dggrn.Dashboard.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;

namespace Dggrn.Dashboard.Components.Shared;

/// <summary>A chart of one metric's curves (x = step) that asks the server for the points of the range it shows, at the
/// resolution its width allows, whenever that range changes or new rows arrive.</summary>
/// <remarks>
/// Nothing is sampled at random: each bucket sends its first, smallest, largest and last point, so the picture is the same
/// on every load and every spike and dip stays visible; a range with no more points than about two per pixel is drawn
/// exactly. Fetches are serialised and coalesced (a burst of zooms or notifications costs one or two queries, the last
/// one for the latest view). Points travel to the browser as binary float64 arrays (dggrnZoom.draw), and zoom state
/// survives redraws (Plotly's uirevision).
/// </remarks>
public sealed partial class ZoomChart : IAsyncDisposable
{
    [Inject] CurveReader Curves { get; set; } = null!;
    [Inject] MetricsNotifier Notifier { get; set; } = null!;
    [Inject] IJSRuntime JS { get; set; } = null!;
    [Inject] IOptions<DashboardOptions> Options { get; set; } = null!;
    [Inject] ILogger<ZoomChart> Log { get; set; } = null!;

    /// <summary>Curves to draw (one metric).</summary>
    [Parameter, EditorRequired] public IReadOnlyList<SeriesSpec> Series { get; set; } = [];

    /// <summary>Panel title.</summary>
    [Parameter] public string Title { get; set; } = "";

    /// <summary>Y axis title.</summary>
    [Parameter] public string YTitle { get; set; } = "";

    /// <summary>Logarithmic y axis.</summary>
    [Parameter] public bool LogY { get; set; }

    /// <summary>Plot height in pixels.</summary>
    [Parameter] public int Height { get; set; } = 320;

    /// <summary>DOM id of the Plotly div (tests read its data through it).</summary>
    [Parameter] public string ChartId { get; set; } = "zoom-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>data-testid of the panel.</summary>
    [Parameter] public string? TestId { get; set; }

    /// <summary>What the panel says while no curve has a point.</summary>
    [Parameter] public string? EmptyText { get; set; }

    /// <summary>Some trial may still write rows: poll for them as well as listening (notifications can be lost).</summary>
    [Parameter] public bool Live { get; set; }

    // Left and right plot margins: the plot area, whose pixels the buckets are sized for, is the panel minus these.
    const int MarginLeft = 50, MarginRight = 10;

    CurveView? _view;          // the points drawn now
    CurveView? _pending;       // points to draw after the next render (which shows the chart's div again)
    TaskCompletionSource? _drawn;
    bool _empty, _appliedLogY;
    (long Lo, long Hi)? _zoom;
    double _plotWidth = 600;
    int _queued;
    IReadOnlyCollection<Guid> _sources = [];
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly CancellationTokenSource _stop = new();
    DotNetObjectReference<ZoomChart>? _self;

    string PanelId => ChartId + "-panel";

    /// <summary>"lo:hi:bucket steps" of the points drawn now (tests wait for the view they asked for).</summary>
    string? ViewText => _view is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v.Lo}:{v.Hi}:{v.BucketSteps}") : null;

    // Two pixels per bucket: four points per bucket stay apart, and every extremum keeps a pixel column of its own.
    int Buckets => Math.Max(MetricCurves.MinBuckets, (int)(_plotWidth / 2));

    protected override void OnInitialized() => _appliedLogY = LogY;

    protected override async Task OnParametersSetAsync()
    {
        if (LogY == _appliedLogY) return;
        _appliedLogY = LogY;
        if (_view is not null) await JS.InvokeVoidAsync("dggrnZoom.logY", _stop.Token, ChartId, LogY);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Prerendering has no browser to draw in: the first interactive render measures the panel and loads the view.
        if (firstRender && RendererInfo.IsInteractive)
        {
            try
            {
                var panel = await JS.InvokeAsync<double>("dggrnWidth", _stop.Token, PanelId);
                if (panel > MarginLeft + MarginRight) _plotWidth = panel - MarginLeft - MarginRight;
                _sources = await Curves.SourcesAsync(Series.Select(s => s.TrialId), _stop.Token);
            }
            catch (Exception ex) when (ex is JSDisconnectedException or OperationCanceledException) { return; }
            Notifier.MetricsWritten += OnNotified;
            _ = RefreshAsync();
            _ = PollAsync();
            return;
        }
        if (_pending is { } view) await DrawAsync(view);
    }

    void OnNotified(Guid trial)
    {
        if (_sources.Contains(trial)) _ = RefreshAsync();
    }

    async Task PollAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.1, Options.Value.PollSeconds)));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                if (Live) await RefreshAsync();
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Called by the browser after a zoom, pan, reset or resize: the x range shown and the plot's width.</summary>
    [JSInvokable]
    public async Task OnViewChanged(double lo, double hi, bool auto, double width)
    {
        if (width > 0) _plotWidth = width;
        _zoom = auto || double.IsNaN(lo) || double.IsNaN(hi) ? null : ((long)Math.Floor(lo), (long)Math.Ceiling(hi));
        await RefreshAsync();
    }

    // At most one fetch runs; callers arriving meanwhile share one more, which reads the view as it is by then.
    async Task RefreshAsync()
    {
        if (Interlocked.Exchange(ref _queued, 1) == 1) return;
        try
        {
            await _gate.WaitAsync(_stop.Token);
            try
            {
                Interlocked.Exchange(ref _queued, 0);
                var view = await Curves.ReadAsync([.. Series.Select(s => s.TrialId)], Series[0].Metric, _zoom?.Lo, _zoom?.Hi, Buckets, _stop.Token);
                await InvokeAsync(() => ShowAsync(view));
            }
            finally { _gate.Release(); }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or JSDisconnectedException) { }
        catch (Exception ex)
        {
            Interlocked.Exchange(ref _queued, 0);
            Log.LogWarning("reading the curves of {Metric} failed: {Error}", Series.FirstOrDefault()?.Metric, ex.Message);
        }
    }

    // On the renderer's context. Usually the chart's div is on the page and the points go straight to it; a chart that said
    // "empty" shows its div again first and draws after that render (Plotly cannot lay out a hidden div).
    async Task ShowAsync(CurveView view)
    {
        if (view.Points == 0 && (_view is null || _empty))
        {
            (_view, _empty) = (view, true);
            StateHasChanged();
            return;
        }
        if (!_empty)
        {
            await DrawAsync(view);
            return;
        }
        var drawn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (_pending, _drawn, _empty) = (view, drawn, false);
        StateHasChanged();
        await drawn.Task.WaitAsync(_stop.Token);
    }

    // Sends the points (binary float64 arrays), then shows which view is drawn (data-view).
    async Task DrawAsync(CurveView view)
    {
        var drawn = _drawn;
        (_pending, _drawn) = (null, null);
        try
        {
            var steps = new double[view.Points];
            var values = new double[view.Points];
            var counts = new int[Series.Count];
            var at = 0;
            for (var i = 0; i < Series.Count; i++)
            {
                var s = view.Series.FirstOrDefault(c => c.TrialId == Series[i].TrialId);
                if (s is null) continue;
                for (var k = 0; k < s.Steps.Length; k++) (steps[at + k], values[at + k]) = (s.Steps[k], s.Values[k]);
                at += counts[i] = s.Steps.Length;
            }
            _self ??= DotNetObjectReference.Create(this);
            var options = new
            {
                height = Height, yTitle = YTitle, logY = LogY, marginLeft = MarginLeft, marginRight = MarginRight,
                showLegend = Series.Count <= LiveChart.MaxLegendEntries,
                hovermode = Series.Count <= LiveChart.MaxLegendEntries ? "x unified" : "closest",
            };
            var series = Series.Select(s => new { name = s.Label, colour = s.Colour, dash = s.Dash }).ToArray();
            await JS.InvokeVoidAsync("dggrnZoom.draw", _stop.Token, ChartId, options, series,
                MemoryMarshal.AsBytes(steps.AsSpan()).ToArray(), MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), counts, _self);
            _view = view;
            StateHasChanged();
            drawn?.TrySetResult();
        }
        catch (Exception ex)
        {
            drawn?.TrySetException(ex);
            if (drawn is null) throw;
        }
    }

    async Task SaveAsync(string format)
    {
        var name = string.Concat((string.IsNullOrEmpty(Title) ? "chart" : Title).Select(c => char.IsLetterOrDigit(c) ? c : '-'));
        await JS.InvokeVoidAsync("dggrnSaveChart", ChartId, format, name, Math.Max(Height, 400));
    }

    public async ValueTask DisposeAsync()
    {
        Notifier.MetricsWritten -= OnNotified;
        await _stop.CancelAsync();
        _drawn?.TrySetCanceled();
        _self?.Dispose();
        _stop.Dispose();
    }
}
