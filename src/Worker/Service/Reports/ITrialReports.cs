using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service.Reports;

/// <summary>Where a trial's lifecycle reports go (started, metrics, log, complete, failed, release): the worker's outbox,
/// which sends every trial's reports of a round, with the worker's next lease request, in one batch.</summary>
/// <remarks>Waits out an unreachable orchestrator (the outbox retries); throws <see cref="OrchestratorException"/> when the
/// orchestrator refused the report (403/404/409), and <see cref="OperationCanceledException"/> when <c>ct</c> fires.</remarks>
public interface ITrialReports
{
    /// <summary>Sends <paramref name="report"/> and returns once the orchestrator applied it.</summary>
    Task SendAsync(WorkerReport report, CancellationToken ct);
}
