using Dggrn.Orchestrator.Grains.Abstractions;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Hosting;

/// <summary>Asks the scheduler grain, wherever it lives in the cluster, to take back lapsed leases at a fixed interval.</summary>
/// <remarks>Every silo runs one; the scan is an idempotent conditional update, so duplicates only cost a query.</remarks>
public sealed class LeaseReaper(IGrainFactory grains, IOptions<OrchestratorOptions> options, ILogger<LeaseReaper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(50, options.Value.LeaseScanMilliseconds)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await grains.GetGrain<ISchedulerGrain>(0).ReapAsync();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "Lease scan failed; retrying at the next tick");
            }
        }
    }
}
