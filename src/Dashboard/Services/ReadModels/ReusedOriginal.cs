namespace Dggrn.Dashboard.Services.ReadModels;

/// <summary>The original trial a reused trial shows the data of, with what the pages say about it: its key and experiment
/// (for the "reused from" link), when it finished, and how it ran (attempts, resume, worker).</summary>
public sealed record ReusedOriginal(Guid Id, string Key, Guid ExperimentId, string? ExperimentName, DateTimeOffset? FinishedAt,
    int Attempt, int? ResumedFromEpoch, string? WorkerId);
