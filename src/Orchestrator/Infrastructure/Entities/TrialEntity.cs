using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>One trial of an experiment (one cell of the grid).</summary>
public sealed class TrialEntity
{
    public Guid Id { get; set; }
    public Guid ExperimentId { get; set; }
    public ExperimentEntity? Experiment { get; set; }
    /// <summary>Human key, e.g. "dggrn-n8-k64-x2-NAMIC-s0".</summary>
    public required string Key { get; set; }
    /// <summary>SHA-256 hex of everything that determines the result.</summary>
    public required string Identity { get; set; }
    public required string Method { get; set; }
    public required string Dataset { get; set; }
    public int Blocks { get; set; }
    public int Filters { get; set; }
    public int Scale { get; set; }
    public int Seed { get; set; }
    /// <summary>Which paper tables/figures this trial feeds ("1", "2", "3", "fig6").</summary>
    public string[] Tables { get; set; } = [];
    /// <summary>The <see cref="Dggrn.Contracts.Trials.TrialConfig"/> as JSON.</summary>
    public required string ConfigJson { get; set; }
    public TrialState State { get; set; }
    /// <summary>Attempts started so far (1-based once leased).</summary>
    public int Attempt { get; set; }
    public int MaxAttempts { get; set; } = 3;
    public string? WorkerId { get; set; }
    public Guid? LeaseId { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    public int Epoch { get; set; }
    public long Step { get; set; }
    public int? ResumedFromEpoch { get; set; }
    public double? BestPsnr { get; set; }
    /// <summary>Final <see cref="Dggrn.Contracts.Trials.EvalResult"/> as JSON once succeeded.</summary>
    public string? ResultJson { get; set; }
    public long? Parameters { get; set; }
    public double? Seconds { get; set; }
    public string? Error { get; set; }
    /// <summary>Failed because training diverged (a NaN or infinite loss or test metric); shown as "Diverged".</summary>
    public bool Diverged { get; set; }
    /// <summary>The latest attempt's <see cref="Dggrn.Contracts.Api.TrialEnvironment"/> as JSON (recorded when it starts).</summary>
    public string? EnvironmentJson { get; set; }
    /// <summary>Set when this trial was satisfied by an identical succeeded trial elsewhere.</summary>
    public Guid? ReusedFromTrialId { get; set; }
    public bool CancelRequested { get; set; }
    /// <summary>Paused by the user (or with its experiment): not leased until resumed.</summary>
    public bool Paused { get; set; }
    /// <summary>Device kind that may run it: "any", "cpu" or "cuda".</summary>
    public string Device { get; set; } = "any";
    /// <summary>Estimated device memory the trial needs (scheduler's fit test).</summary>
    public long MemoryEstimateBytes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
