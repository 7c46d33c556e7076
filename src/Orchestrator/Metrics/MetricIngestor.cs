using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Scheduling;
using Npgsql;
using NpgsqlTypes;

namespace Dggrn.Orchestrator.Metrics;

/// <summary>Stores metric batches: idempotent per (worker, trial, attempt, sequence), binary COPY, then NOTIFY.</summary>
/// <remarks>
/// One transaction: claim the batch key in metric_batches (a retried batch claims nothing and is acknowledged
/// without writing), COPY the points into a temporary table, upsert them on (trial, name, step) so that a resumed
/// attempt overwrites what an earlier one reported, then <c>NOTIFY dggrn_metrics, '&lt;trialId&gt;'</c>, which
/// PostgreSQL delivers to listeners only when the transaction commits.
/// </remarks>
public sealed class MetricIngestor(NpgsqlDataSource data)
{
    /// <summary>The channel the dashboard LISTENs on; the payload is the trial id.</summary>
    public const string Channel = "dggrn_metrics";

    /// <summary>Stores <paramref name="batch"/>; returns whether it was new, or the reason it was refused.</summary>
    public async Task<(OpResult Result, bool Stored)> IngestAsync(string workerId, Guid trialId, MetricBatch batch, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var check = new NpgsqlCommand("SELECT lease_id, worker_id, attempt, state FROM trials WHERE id = @t", c))
        {
            check.Parameters.AddWithValue("t", trialId);
            await using var r = await check.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return (OpResult.NotFound($"trial {trialId} does not exist"), false);
            var lease = r.IsDBNull(0) ? (Guid?)null : r.GetGuid(0);
            if (lease != batch.LeaseId || (r.IsDBNull(1) ? null : r.GetString(1)) != workerId || r.GetInt32(2) != batch.Attempt)
                return (OpResult.Conflict($"lease {batch.LeaseId} (attempt {batch.Attempt}) is not the live lease of trial {trialId} (state {r.GetString(3)})"), false);
        }
        await using (var claim = new NpgsqlCommand("""
            INSERT INTO metric_batches (worker_id, trial_id, attempt, sequence, points, at) VALUES (@w, @t, @a, @s, @n, now())
            ON CONFLICT DO NOTHING
            """, c))
        {
            claim.Parameters.AddWithValue("w", workerId); claim.Parameters.AddWithValue("t", trialId);
            claim.Parameters.AddWithValue("a", batch.Attempt); claim.Parameters.AddWithValue("s", batch.Sequence);
            claim.Parameters.AddWithValue("n", batch.Points.Length);
            if (await claim.ExecuteNonQueryAsync(ct) == 0)
            {
                await tx.RollbackAsync(ct);
                return (OpResult.Ok, false);
            }
        }
        if (batch.Points.Length > 0)
        {
            await using (var tmp = new NpgsqlCommand(
                "CREATE TEMP TABLE IF NOT EXISTS metric_in (ord int, name text, step bigint, epoch int, value float8, at timestamptz) ON COMMIT DELETE ROWS", c))
                await tmp.ExecuteNonQueryAsync(ct);
            await using (var copy = await c.BeginBinaryImportAsync("COPY metric_in (ord, name, step, epoch, value, at) FROM STDIN (FORMAT BINARY)", ct))
            {
                for (int i = 0; i < batch.Points.Length; i++)
                {
                    var p = batch.Points[i];
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(i, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(p.Name, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(p.Step, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(p.Epoch, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(p.Value, NpgsqlDbType.Double, ct);
                    await copy.WriteAsync(p.At.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
                }
                await copy.CompleteAsync(ct);
            }
            // DISTINCT ON keeps the last point per (name, step) of the batch: ON CONFLICT may touch a row only once.
            await using var upsert = new NpgsqlCommand("""
                INSERT INTO metrics (trial_id, attempt, name, step, epoch, value, at)
                SELECT DISTINCT ON (name, step) @t, @a, name, step, epoch, value, at FROM metric_in ORDER BY name, step, ord DESC
                ON CONFLICT (trial_id, name, step) DO UPDATE SET attempt = excluded.attempt, epoch = excluded.epoch,
                  value = excluded.value, at = excluded.at
                """, c);
            upsert.Parameters.AddWithValue("t", trialId);
            upsert.Parameters.AddWithValue("a", batch.Attempt);
            await upsert.ExecuteNonQueryAsync(ct);
        }
        await using (var notify = new NpgsqlCommand($"SELECT pg_notify('{Channel}', @t)", c))
        {
            notify.Parameters.AddWithValue("t", trialId.ToString());
            await notify.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return (OpResult.Ok, true);
    }
}
