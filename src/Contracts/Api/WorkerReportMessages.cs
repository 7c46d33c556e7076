using System.Text.Json.Serialization;

namespace Dggrn.Contracts.Api;

/// <summary>One report in a <see cref="WorkerReportBatch"/>: exactly one of the report bodies is set.</summary>
/// <remarks>The bodies are the same records the one-report endpoints take, so a batch changes only how many
/// reports travel per request, never what a report means.</remarks>
public sealed record WorkerReport(
    Guid TrialId,
    TrialStartedRequest? Started = null,
    MetricBatch? Metrics = null,
    TrialCompletedRequest? Complete = null,
    TrialFailedRequest? Failed = null,
    TrialReleaseRequest? Release = null,
    TrialLogRequest? Log = null)
{
    /// <summary>The kinds in the order a batch applies them to one trial.</summary>
    public static readonly IReadOnlyList<string> Phases = ["started", "metrics", "log", "complete", "failed", "release"];

    /// <summary>The report's kind (one of <see cref="Phases"/>), or null unless exactly one body is set.</summary>
    [JsonIgnore]
    public string? Kind =>
        new (string Kind, object? Body)[] { ("started", Started), ("metrics", Metrics), ("log", Log), ("complete", Complete), ("failed", Failed), ("release", Release) }
            .Where(x => x.Body is not null).Select(x => x.Kind).ToArray() is [var only] ? only : null;

    /// <summary>The lease the report speaks for (whichever body is set).</summary>
    [JsonIgnore]
    public Guid LeaseId => Started?.LeaseId ?? Metrics?.LeaseId ?? Log?.LeaseId ?? Complete?.LeaseId ?? Failed?.LeaseId ?? Release?.LeaseId ?? Guid.Empty;
}

/// <summary>POST /api/workers/{id}/reports: several reports of one worker about the trials it holds, in one request.</summary>
/// <remarks>Each trial's reports apply in phases (<see cref="WorkerReport.Phases"/>: started, metrics, log, complete, failed,
/// release), so a batch may carry a trial's whole short life (started, its metrics, complete). This is the one path for
/// lifecycle reports: dggrn-worker sends every trial's reports this way, and the one-report endpoints go the same way inside.
/// <see cref="Lease"/>, when set, asks for more trials after the reports are applied, exactly as POST /api/workers/{id}/lease
/// would: a worker whose trials just finished reports them and takes the next ones in one round trip.</remarks>
public sealed record WorkerReportBatch(WorkerReport[] Reports, LeaseRequest? Lease = null);

/// <summary>The outcome of one report: <see cref="Status"/> is the HTTP status the one-report endpoint would have answered.</summary>
public sealed record ReportOutcome(Guid TrialId, string Kind, int Status, string? Error);

/// <summary>Answer to a <see cref="WorkerReportBatch"/>: one outcome per report, in the request's order.</summary>
/// <remarks><see cref="Grants"/> answers the batch's <see cref="WorkerReportBatch.Lease"/> (null when it asked for none).</remarks>
public sealed record WorkerReportBatchResponse(ReportOutcome[] Outcomes, LeaseGrant[]? Grants = null);
