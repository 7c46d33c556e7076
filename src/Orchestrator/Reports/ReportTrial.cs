using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Reports;

/// <summary>A succeeded trial as reports see it.</summary>
public sealed record ReportTrial(Guid Id, string Method, string Dataset, int Blocks, int Filters, int Scale, int Seed, string[] Tables,
    EvalResult Result, double? SecondsPerEpoch);
