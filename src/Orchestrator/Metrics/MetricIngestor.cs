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

    /// <summary>Batches smaller than this take the one-statement path (<see cref="IngestSmallAsync"/>).</summary>
    public const int CopyThreshold = 256;

    /// <summary>Stores <paramref name="batch"/>; returns whether it was new, or the reason it was refused.</summary>
    public Task<(OpResult Result, bool Stored)> IngestAsync(string workerId, Guid trialId, MetricBatch batch, CancellationToken ct = default) =>
        batch.Points.Length < CopyThreshold ? IngestSmallAsync(workerId, trialId, batch, ct) : IngestCopyAsync(workerId, trialId, batch, ct);

    /// <summary>Small batches (a worker's regular reports): lease check, claim, upsert from arrays and NOTIFY in one
    /// statement and one round trip; a temporary table and COPY only pay off for large batches.</summary>
    async Task<(OpResult Result, bool Stored)> IngestSmallAsync(string workerId, Guid trialId, MetricBatch batch, CancellationToken ct)
    {
        const string sql = $"""
            WITH claim AS (
              INSERT INTO metric_batches (worker_id, trial_id, attempt, sequence, points, at)
              SELECT @w, @t, @a, @s, @n, now()
              WHERE EXISTS (SELECT 1 FROM trials WHERE id = @t AND lease_id = @lease AND worker_id = @w AND attempt = @a)
              ON CONFLICT DO NOTHING RETURNING 1),
            ins AS (
              INSERT INTO metrics (trial_id, attempt, name, step, epoch, value, at)
              SELECT DISTINCT ON (p.name, p.step) @t, @a, p.name, p.step, p.epoch, p.value, p.at
              FROM unnest(@names, @steps, @epochs, @values, @ats) WITH ORDINALITY AS p(name, step, epoch, value, at, ord)
              WHERE EXISTS (SELECT 1 FROM claim)
              ORDER BY p.name, p.step, p.ord DESC
              ON CONFLICT (trial_id, name, step) DO UPDATE SET attempt = excluded.attempt, epoch = excluded.epoch,
                value = excluded.value, at = excluded.at)
            SELECT pg_notify('{Channel}', @tid) FROM claim
            """;
        var p = batch.Points;
        await using (var cmd = data.CreateCommand(sql))
        {
            cmd.Parameters.AddWithValue("w", workerId); cmd.Parameters.AddWithValue("t", trialId);
            cmd.Parameters.AddWithValue("a", batch.Attempt); cmd.Parameters.AddWithValue("s", batch.Sequence);
            cmd.Parameters.AddWithValue("n", p.Length); cmd.Parameters.AddWithValue("lease", batch.LeaseId);
            cmd.Parameters.AddWithValue("tid", trialId.ToString());
            cmd.Parameters.AddWithValue("names", p.Select(x => x.Name).ToArray());
            cmd.Parameters.AddWithValue("steps", p.Select(x => x.Step).ToArray());
            cmd.Parameters.AddWithValue("epochs", p.Select(x => x.Epoch).ToArray());
            cmd.Parameters.AddWithValue("values", p.Select(x => x.Value).ToArray());
            cmd.Parameters.AddWithValue("ats", p.Select(x => x.At.ToUniversalTime()).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct)) return (OpResult.Ok, true);
        }
        // Nothing claimed: a retry of a stored batch (OK) or a lease that is not live (refused).
        await using var c = await data.OpenConnectionAsync(ct);
        var refused = await CheckAsync(c, workerId, trialId, batch, ct);
        return (refused ?? OpResult.Ok, false);
    }

    static async Task<OpResult?> CheckAsync(NpgsqlConnection c, string workerId, Guid trialId, MetricBatch batch, CancellationToken ct)
    {
        await using var check = new NpgsqlCommand("SELECT lease_id, worker_id, attempt, state FROM trials WHERE id = @t", c);
        check.Parameters.AddWithValue("t", trialId);
        await using var r = await check.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return OpResult.NotFound($"trial {trialId} does not exist");
        var lease = r.IsDBNull(0) ? (Guid?)null : r.GetGuid(0);
        if (lease != batch.LeaseId || (r.IsDBNull(1) ? null : r.GetString(1)) != workerId || r.GetInt32(2) != batch.Attempt)
            return OpResult.Conflict($"lease {batch.LeaseId} (attempt {batch.Attempt}) is not the live lease of trial {trialId} (state {r.GetString(3)})");
        return null;
    }

    async Task<(OpResult Result, bool Stored)> IngestCopyAsync(string workerId, Guid trialId, MetricBatch batch, CancellationToken ct)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        if (await CheckAsync(c, workerId, trialId, batch, ct) is { } refused) return (refused, false);
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
