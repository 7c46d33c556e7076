using Dggrn.Contracts.Api;
using System.Text.Json;

using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Queries;

/// <summary>How long trials take, for ETAs. One definition for the orchestrator's API and the dashboard.</summary>
public static class TrialDurations
{
    static readonly JsonSerializerOptions Json = WireJson.Options;

    /// <summary>
    /// Seconds a whole trial takes, judged from trials still running: elapsed since first start x planned epochs /
    /// epochs done, averaged. A trial past its planned epochs counts as done at its elapsed time. Null while no running
    /// trial has finished an epoch (no basis for a guess).
    /// </summary>
    public static double? FromProgress(IEnumerable<(DateTimeOffset? StartedAt, int Epoch, int Epochs)> running, DateTimeOffset now)
    {
        var estimates = running.Where(r => r.StartedAt is not null && r.Epoch > 0 && r.Epochs > 0)
            .Select(r => (now - r.StartedAt!.Value).TotalSeconds * r.Epochs / Math.Min(r.Epoch, r.Epochs)).ToArray();
        return estimates.Length > 0 ? estimates.Average() : null;
    }

    /// <summary>Planned epochs of a trial from its stored <see cref="TrialConfig"/> JSON; the protocol default when unreadable.</summary>
    public static int PlannedEpochs(string configJson)
    {
        try { return JsonSerializer.Deserialize<TrialConfig>(configJson, Json)?.Training.Epochs ?? new TrainingSettings().Epochs; }
        catch (JsonException) { return new TrainingSettings().Epochs; }
    }
}
