using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;

namespace Dggrn.Dashboard.Services.ReadModels;

/// <summary>
/// A trial as the pages read it: what it is (key, axes, stored configuration), how it stands, what it measured, where and
/// when it ran, and the original it was reused from. A reused trial carries its original's recorded results and timings
/// (<see cref="LabReader"/> applies them); its identity, state and experiment stay its own.
/// </summary>
/// <remarks>The grids, seed groups, empty states, compare and trial pages all read this one record, so none of them depends
/// on the database's entities. Built only by <see cref="LabReader"/> (and by tests).</remarks>
public sealed record TrialFacts
{
    public required Guid Id { get; init; }
    public Guid ExperimentId { get; init; }
    /// <summary>Name of the trial's experiment; null when the reader did not load it.</summary>
    public string? ExperimentName { get; init; }
    /// <summary>Human key, e.g. "dggrn-n8-k64-x2-NAMIC-s0".</summary>
    public required string Key { get; init; }
    /// <summary>SHA-256 hex of everything that determines the result.</summary>
    public string Identity { get; init; } = "";
    public required string Method { get; init; }
    public required string Dataset { get; init; }
    public int Blocks { get; init; }
    public int Filters { get; init; }
    public int Scale { get; init; }
    public int Seed { get; init; }
    /// <summary>Which paper tables/figures this trial feeds ("1", "2", "3", "fig6").</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];
    /// <summary>The <see cref="TrialConfig"/> as stored (JSON).</summary>
    public required string ConfigJson { get; init; }
    public TrialState State { get; init; }
    /// <summary>Failed because training diverged; shown as "Diverged".</summary>
    public bool Diverged { get; init; }
    /// <summary>Paused by the user: not leased until resumed.</summary>
    public bool Paused { get; init; }
    public int Attempt { get; init; }
    public int MaxAttempts { get; init; }
    public string? WorkerId { get; init; }
    public int Epoch { get; init; }
    public long Step { get; init; }
    public int? ResumedFromEpoch { get; init; }
    public double? BestPsnr { get; init; }
    /// <summary>The stored final result; null when absent or unreadable.</summary>
    public EvalResult? Result { get; init; }
    public long? Parameters { get; init; }
    public double? Seconds { get; init; }
    public string? Error { get; init; }
    /// <summary>The latest attempt's <see cref="TrialEnvironment"/> as stored (JSON), or null.</summary>
    public string? EnvironmentJson { get; init; }
    /// <summary>Set when this trial was satisfied by an identical succeeded trial.</summary>
    public Guid? ReusedFromTrialId { get; init; }
    /// <summary>The original whose data this trial shows; null unless reused.</summary>
    public ReusedOriginal? Original { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

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
