using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;

namespace Dggrn.Dashboard.Services;

/// <summary>
/// A trial as the seed groups, the completeness table and the compare page read it: what it is (key, axes, stored
/// configuration), how it stands, what it measured and where it ran. A read model, so those views do not depend on the
/// database's entities; <see cref="LabReader.Facts"/> makes one (after a reused trial has taken its original's data).
/// </summary>
public sealed record TrialFacts(Guid Id, string Key, string Method, string Dataset, int Blocks, int Filters, int Scale, int Seed,
    string ConfigJson, TrialState State, bool Diverged, int Epoch, double? Seconds, long? Parameters, EvalResult? Result,
    string? EnvironmentJson)
{
    /// <summary>The state as users see it ("Diverged" apart from "Failed").</summary>
    public string DisplayState => TrialStates.Display(State, Diverged);

    /// <summary>The stored final result; null when absent or unreadable.</summary>
    public static EvalResult? ResultOf(string? json)
    {
        if (json is null) return null;
        try { return JsonSerializer.Deserialize<EvalResult>(json, WireJson.Options); }
        catch (JsonException) { return null; }
    }
}
