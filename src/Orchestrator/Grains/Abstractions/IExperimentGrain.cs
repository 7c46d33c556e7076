using Dggrn.Contracts.Api;
using Dggrn.Contracts.Grid;

namespace Dggrn.Orchestrator.Grains.Abstractions;

/// <summary>One experiment (key: its id): creation from an expanded grid and user control of all its trials.</summary>
public interface IExperimentGrain : IGrainWithGuidKey
{
    /// <summary>Stores the experiment and its trials (idempotent for the same key).</summary>
    Task<SubmitResponse> CreateAsync(ExpandedGrid grid, string owner, bool rerun);
    /// <summary>Cancels every open trial; the experiment ends Cancelled.</summary>
    Task<int> CancelAsync(string by);
    /// <summary>Stops leasing its trials and returns live ones to the queue.</summary>
    Task<int> PauseAsync(string by);
    /// <summary>Undoes <see cref="PauseAsync"/>.</summary>
    Task<int> ResumeAsync();
    /// <summary>The experiment's state as stored in PostgreSQL; null when it does not exist.</summary>
    Task<string?> GetStateAsync();
}
