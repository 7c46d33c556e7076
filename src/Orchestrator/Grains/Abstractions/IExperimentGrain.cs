using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Grains.Abstractions;

/// <summary>One experiment (key: its id): compiles and expands its grid spec, stores it with its trials, and applies user
/// control to all its trials.</summary>
public interface IExperimentGrain : IGrainWithGuidKey
{
    /// <summary>Validates the spec (or preset) whole, expands it into trials and stores them; every error at once when invalid.
    /// Idempotent for the same key.</summary>
    Task<SubmitOutcome> SubmitAsync(SubmitCommand command);
    /// <summary>Cancels every open trial; the experiment ends Cancelled. Returns how many trials it stopped.</summary>
    Task<int> CancelAsync(string by);
    /// <summary>Stops leasing its trials and returns live ones to the queue.</summary>
    Task<int> PauseAsync(string by);
    /// <summary>Undoes <see cref="PauseAsync"/>.</summary>
    Task<int> ResumeAsync();
    /// <summary>The experiment's state; null when it does not exist.</summary>
    Task<ExperimentState?> GetStateAsync();
}

/// <summary>A submission: the spec document or a preset name, with who submits it.</summary>
[GenerateSerializer, Immutable, Alias("dggrn.SubmitCommand")]
public sealed record SubmitCommand(
    [property: Id(0)] string? Spec,
    [property: Id(1)] string? Preset,
    [property: Id(2)] int? Priority,
    [property: Id(3)] string Owner,
    [property: Id(4)] bool Rerun);

/// <summary>The stored experiment, or why the spec was refused (every error, located by its path in the document).</summary>
[GenerateSerializer, Immutable, Alias("dggrn.SubmitOutcome")]
public sealed record SubmitOutcome([property: Id(0)] SubmitResponse? Stored, [property: Id(1)] SpecError[] Errors);
