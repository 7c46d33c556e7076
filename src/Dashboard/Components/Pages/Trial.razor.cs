using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Components.Shared;
using Dggrn.Dashboard.Services;
using Dggrn.Dashboard.Services.ReadModels;
using Microsoft.AspNetCore.Components;

namespace Dggrn.Dashboard.Components.Pages;

/// <summary>One trial: identity and progress, environment, configuration, live curves, example images, history,
/// checkpoints and log. A reused trial shows its original's recorded data, marked as such.</summary>
public sealed partial class Trial : IAsyncDisposable
{
    [Inject] LabReader Lab { get; set; } = null!;

    /// <summary>Trial id from the route.</summary>
    [Parameter] public Guid Id { get; set; }

    TrialFacts? _trial;
    bool _loaded, _logLoss;
    IReadOnlyList<TransitionRow> _transitions = [];
    IReadOnlyList<CheckpointRow> _checkpoints = [];
    IReadOnlyList<ArtifactRow> _artifacts = [];
    IReadOnlyList<LogLine> _logs = [];
    readonly Dictionary<string, IReadOnlyList<SeriesSpec>> _series = [];
    readonly CancellationTokenSource _stop = new();

    TrialEnvironment? Environment
    {
        get
        {
            try { return _trial?.EnvironmentJson is { } j ? JsonSerializer.Deserialize<TrialEnvironment>(j, WireJson.Options) : null; }
            catch (JsonException) { return null; }
        }
    }

    string ConfigText
    {
        get
        {
            try { return JsonSerializer.Serialize(JsonDocument.Parse(_trial!.ConfigJson), new JsonSerializerOptions { WriteIndented = true }); }
            catch (JsonException) { return _trial!.ConfigJson; }
        }
    }

    string Empty(string metric) => EmptyStates.Chart(metric, [_trial!]);

    string CheckpointsEmpty
    {
        get
        {
            if (_trial!.State.IsTerminal()) return "No checkpoint was kept for this trial.";
            var every = LabReader.ConfigOf(_trial.ConfigJson)?.Training.CheckpointEvery ?? 1;
            return $"No checkpoint yet: the worker records one at the end of {(every == 1 ? "every epoch" : $"every {every} epochs")}, once the trial runs.";
        }
    }

    // One stable list per metric, so the charts see the same parameter and keep their traces.
    IReadOnlyList<SeriesSpec> Series(string metric) =>
        _series.TryGetValue(metric, out var s) ? s : _series[metric] = [new SeriesSpec(Id, metric, metric)];

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        if (RendererInfo.IsInteractive) _ = RefreshLoopAsync();
    }

    async Task LoadAsync()
    {
        _trial = await Lab.GetTrialAsync(Id, _stop.Token);
        _loaded = true;
        if (_trial is null) return;
        _transitions = await Lab.TransitionsAsync(Id, _stop.Token);
        _checkpoints = await Lab.CheckpointsAsync(Id, _stop.Token);
        _artifacts = await Lab.ArtifactsAsync(Id, _stop.Token);
        _logs = await Lab.LogTailAsync(Id, 200, _stop.Token);
    }

    async Task RefreshAsync()
    {
        await LoadAsync();
        await InvokeAsync(StateHasChanged);
    }

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

    static string Bytes(long bytes) => bytes >= 1 << 20 ? $"{bytes / 1048576.0:F1} MiB" : bytes >= 1024 ? $"{bytes / 1024.0:F0} KiB" : $"{bytes} B";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
    }
}
