namespace Dggrn.Dashboard.Services;

/// <summary>One metric point as the charts use it.</summary>
public readonly record struct MetricRow(long Id, Guid TrialId, string Name, long Step, int Epoch, double Value);
