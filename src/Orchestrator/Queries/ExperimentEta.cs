using Dggrn.Orchestrator.Specs;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Microsoft.EntityFrameworkCore;

using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Queries;

/// <summary>What an ETA needs to know about one trial. <see cref="Epochs"/> (planned) matters only for running trials;
/// <see cref="Method"/>, <see cref="Blocks"/>, <see cref="Filters"/> and <see cref="Scale"/> say which finished trials
/// it resembles.</summary>
public readonly record struct TrialTiming(TrialState State, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Epoch, int Epochs,
    string Method = "", int Blocks = 0, int Filters = 0, int Scale = 0)
{
    /// <summary>Evaluation only (bicubic, NMU, LRTV): seconds to minutes, where a trained network takes hours.</summary>
    public bool Untrained => MethodParameters.Untrained.Contains(Method);

    /// <summary>The timing of a stored trial. A trial reused from another experiment ran there: its times say nothing about
    /// this one's trials. Planned epochs are read from the config JSON of running trials only (null JSON: not read).</summary>
    public static TrialTiming Of(TrialState state, DateTimeOffset? startedAt, DateTimeOffset? finishedAt, int epoch, Guid? reusedFrom,
        string? configJson, string method, int blocks, int filters, int scale) =>
        new(state, reusedFrom is null ? startedAt : null, reusedFrom is null ? finishedAt : null, epoch,
            state is TrialState.Leased or TrialState.Running && configJson is not null ? TrialDurations.PlannedEpochs(configJson) : 0,
            method, blocks, filters, scale);

    /// <summary>Every trial's timing by experiment, in one query: the one read behind the API's and the dashboard's ETAs.</summary>
    public static async Task<ILookup<Guid, TrialTiming>> ByExperimentAsync(IQueryable<TrialEntity> trials, CancellationToken ct) =>
        (await trials.Select(t => new { t.ExperimentId, t.State, t.StartedAt, t.FinishedAt, t.Epoch, t.ReusedFromTrialId, t.Method, t.Blocks, t.Filters, t.Scale,
                ConfigJson = t.State == TrialState.Leased || t.State == TrialState.Running ? t.ConfigJson : null }) // planned epochs of running trials only
            .ToListAsync(ct))
        .ToLookup(t => t.ExperimentId, t => Of(t.State, t.StartedAt, t.FinishedAt, t.Epoch, t.ReusedFromTrialId, t.ConfigJson, t.Method, t.Blocks, t.Filters, t.Scale));

    internal bool Open => State is TrialState.Pending or TrialState.Leased or TrialState.Running;
    internal bool Runs => State is TrialState.Leased or TrialState.Running;
}

/// <summary>Seconds left in an experiment: one estimate for `dggrn status`, the API and the dashboard.</summary>
/// <remarks>
/// A grid mixes trials that differ in length by orders of magnitude (an LRTV evaluation and a DGGRN K=128 training), so
/// each open trial lasts the mean wall time of the most similar succeeded trials: same method and network size, else
/// same method, else the same kind (trained or evaluation-only); a trained trial with none of those is judged from the
/// running trials' elapsed time scaled to their planned epochs (<see cref="TrialDurations.FromProgress"/>). Evaluation-only
/// trials with no basis count as nothing next to training that is still open. Work left is that for every waiting trial
/// plus what remains of every running one (credit for the time it already ran), shared by as many trials as are running.
/// </remarks>
public static class ExperimentEta
{
    /// <summary>0 when no trial is open; null while nothing runs (paused, no worker) or nothing gives a duration yet.</summary>
    public static double? SecondsLeft(IReadOnlyCollection<TrialTiming> trials, DateTimeOffset now)
    {
        var open = trials.Where(t => t.Open).ToList();
        if (open.Count == 0) return 0;
        var running = open.Count(t => t.Runs);
        if (running == 0) return null;
        var finished = trials.Where(t => t.State == TrialState.Succeeded && t.StartedAt is not null && t.FinishedAt is not null)
            .Select(t => (Trial: t, Seconds: (t.FinishedAt!.Value - t.StartedAt!.Value).TotalSeconds)).ToList();
        var trainingOpen = open.Any(t => !t.Untrained);

        double left = 0;
        foreach (var t in open)
        {
            var d = Mean(f => f.Method == t.Method && f.Blocks == t.Blocks && f.Filters == t.Filters && f.Scale == t.Scale)
                    ?? Mean(f => f.Method == t.Method)
                    ?? Mean(f => f.Untrained == t.Untrained)
                    ?? (t.Untrained ? null
                        : TrialDurations.FromProgress(open.Where(r => r.Runs && r.Method == t.Method).Select(Progress), now)
                          ?? TrialDurations.FromProgress(open.Where(r => r.Runs && !r.Untrained).Select(Progress), now));
            if (d is null)
            {
                if (t.Untrained && trainingOpen) continue;
                return null;
            }
            left += t.Runs && t.StartedAt is { } s ? Math.Max(0, d.Value - (now - s).TotalSeconds) : d.Value;
        }
        return left / running;

        double? Mean(Func<TrialTiming, bool> like)
        {
            var seconds = finished.Where(f => like(f.Trial)).Select(f => f.Seconds).ToList();
            return seconds.Count > 0 ? seconds.Average() : null;
        }

        static (DateTimeOffset?, int, int) Progress(TrialTiming r) => (r.StartedAt, r.Epoch, r.Epochs);
    }
}
