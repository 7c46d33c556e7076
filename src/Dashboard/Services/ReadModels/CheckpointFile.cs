namespace Dggrn.Dashboard.Services.ReadModels;

/// <summary>A recorded checkpoint object and what its download is named after: the store key, its trial's key (null when the
/// trial is gone), the attempt and the epoch.</summary>
public sealed record CheckpointFile(string Key, string? TrialKey, int Attempt, int Epoch);
