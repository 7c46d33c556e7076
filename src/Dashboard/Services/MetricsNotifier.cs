using Npgsql;

namespace Dggrn.Dashboard.Services;

/// <summary>
/// Listens on the PostgreSQL channel <c>dggrn_metrics</c> (the orchestrator NOTIFYs the trial id after each
/// committed metric batch) and tells open pages which trial has new rows.
/// </summary>
/// <remarks>
/// A notification can be lost while the connection is re-established, so pages also poll
/// (<see cref="DashboardOptions.PollSeconds"/>); this is only the fast path.
/// </remarks>
public sealed class MetricsNotifier(IConfiguration configuration, ILogger<MetricsNotifier> log) : BackgroundService
{
    /// <summary>The NOTIFY channel the orchestrator writes to.</summary>
    public const string Channel = Dggrn.Orchestrator.Metrics.MetricIngestor.Channel;

    /// <summary>Raised with the trial id of every notification; handlers must be quick and must not throw.</summary>
    public event Action<Guid>? MetricsWritten;

    /// <summary>True while the LISTEN connection is open (for health and tests).</summary>
    public bool Listening { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cs = configuration.GetConnectionString("Lab");
        if (string.IsNullOrEmpty(cs)) return;
        // LISTEN needs one long-lived session, outside the pool, with keepalive so a dead peer is noticed.
        var builder = new NpgsqlConnectionStringBuilder(cs) { Pooling = false, KeepAlive = 15 };
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(builder.ConnectionString);
                await conn.OpenAsync(stoppingToken);
                conn.Notification += (_, e) =>
                {
                    if (Guid.TryParse(e.Payload, out var id)) MetricsWritten?.Invoke(id);
                };
                await using (var cmd = new NpgsqlCommand($"LISTEN {Channel}", conn)) await cmd.ExecuteNonQueryAsync(stoppingToken);
                Listening = true;
                backoff = TimeSpan.FromMilliseconds(250);
                while (!stoppingToken.IsCancellationRequested) await conn.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Listening = false;
                log.LogWarning("LISTEN {Channel} lost ({Error}); retrying in {Delay} ms (pages keep polling meanwhile)",
                    Channel, ex.Message, backoff.TotalMilliseconds);
                try { await Task.Delay(backoff, stoppingToken); } catch (OperationCanceledException) { break; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
        Listening = false;
    }
}
