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

    /// <summary>Stores several batches (any workers, any trials): small ones together in one statement, large ones by COPY;
    /// one outcome per item, in order (Stored: whether the batch was new).</summary>
    public async Task<(Outcome Result, bool Stored)[]> IngestAsync(IReadOnlyList<TrialReport<MetricBatch>> items, CancellationToken ct = default)
    {
        var outcomes = new (Outcome, bool)[items.Count];
        var small = Enumerable.Range(0, items.Count).Where(n => items[n].Report.Points.Length < CopyThreshold).ToArray();
        var smallOutcomes = await IngestSmallAsync([.. small.Select(n => items[n])], ct);
        for (int k = 0; k < small.Length; k++) outcomes[small[k]] = smallOutcomes[k];
        for (int n = 0; n < items.Count; n++)
            if (items[n].Report.Points.Length >= CopyThreshold) outcomes[n] = await IngestCopyAsync(items[n].Worker, items[n].Trial, items[n].Report, ct);
        return outcomes;
    }

    /// <summary>Small batches (a worker's regular reports): lease checks, claims, upserts from arrays and NOTIFY for every
    /// batch in one statement and one round trip; a temporary table and COPY only pay off for large batches.</summary>
    async Task<(Outcome Result, bool Stored)[]> IngestSmallAsync(IReadOnlyList<TrialReport<MetricBatch>> items, CancellationToken ct)
    {
        if (items.Count == 0) return [];
        // b: the batches (bi = position); p: their points, each naming its batch. A batch whose lease is not live, or whose
        // key (worker, trial, attempt, sequence) was stored before, claims nothing and stores none of its points. When two
        // batches of one request hold the same (trial, name, step), the later batch's point wins, as if sent one by one.
        const string sql = $"""
            WITH b AS (SELECT * FROM unnest(@trials, @leases, @workers, @attempts, @seqs, @counts) WITH ORDINALITY AS b(trial_id, lease, worker, attempt, sequence, points, bi)),
            claim AS (
              INSERT INTO metric_batches (worker_id, trial_id, attempt, sequence, points, at)
              SELECT b.worker, b.trial_id, b.attempt, b.sequence, b.points, now() FROM b
              WHERE EXISTS (SELECT 1 FROM trials t WHERE t.id = b.trial_id AND t.lease_id = b.lease AND t.worker_id = b.worker AND t.attempt = b.attempt)
              ON CONFLICT DO NOTHING RETURNING trial_id, attempt, sequence),
            p AS (SELECT * FROM unnest(@pbi, @names, @steps, @epochs, @values, @ats) WITH ORDINALITY AS p(bi, name, step, epoch, value, at, ord)),
            ins AS (
              INSERT INTO metrics (trial_id, attempt, name, step, epoch, value, at)
              SELECT DISTINCT ON (b.trial_id, p.name, p.step) b.trial_id, b.attempt, p.name, p.step, p.epoch, p.value, p.at
              FROM p JOIN b ON b.bi = p.bi
              JOIN claim c ON c.trial_id = b.trial_id AND c.attempt = b.attempt AND c.sequence = b.sequence
              ORDER BY b.trial_id, p.name, p.step, b.bi DESC, p.ord DESC
              ON CONFLICT (trial_id, name, step) DO UPDATE SET attempt = excluded.attempt, epoch = excluded.epoch,
                value = excluded.value, at = excluded.at)
            SELECT c.trial_id, c.attempt, c.sequence, pg_notify('{Channel}', c.trial_id::text) FROM claim c
            """;
        var claimed = new HashSet<(Guid, int, long)>();
        await using (var cmd = data.CreateCommand(sql))
        {
            cmd.Parameters.AddWithValue("trials", items.Select(x => x.Trial).ToArray());
            cmd.Parameters.AddWithValue("leases", items.Select(x => x.Report.LeaseId).ToArray());
            cmd.Parameters.AddWithValue("workers", items.Select(x => x.Worker).ToArray());
            cmd.Parameters.AddWithValue("attempts", items.Select(x => x.Report.Attempt).ToArray());
            cmd.Parameters.AddWithValue("seqs", items.Select(x => x.Report.Sequence).ToArray());
            cmd.Parameters.AddWithValue("counts", items.Select(x => x.Report.Points.Length).ToArray());
            var points = items.SelectMany((x, n) => x.Report.Points.Select(p => (Bi: (long)n + 1, P: p))).ToArray();
            cmd.Parameters.AddWithValue("pbi", points.Select(x => x.Bi).ToArray());
            cmd.Parameters.AddWithValue("names", points.Select(x => x.P.Name).ToArray());
            cmd.Parameters.AddWithValue("steps", points.Select(x => x.P.Step).ToArray());
            cmd.Parameters.AddWithValue("epochs", points.Select(x => x.P.Epoch).ToArray());
            cmd.Parameters.AddWithValue("values", points.Select(x => x.P.Value).ToArray());
            cmd.Parameters.AddWithValue("ats", points.Select(x => x.P.At.ToUniversalTime()).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) claimed.Add((r.GetGuid(0), r.GetInt32(1), r.GetInt64(2)));
        }
        var outcomes = new (Outcome, bool)[items.Count];
        NpgsqlConnection? c = null;
        try
        {
            for (int n = 0; n < items.Count; n++)
            {
                var (worker, trial, batch) = items[n];
                if (claimed.Contains((trial, batch.Attempt, batch.Sequence))) { outcomes[n] = (Outcome.Ok, true); continue; }
                // Nothing claimed: a retry of a stored batch (OK) or a lease that is not live (refused).
                c ??= await data.OpenConnectionAsync(ct);
                outcomes[n] = (await CheckAsync(c, worker, trial, batch, ct) ?? Outcome.Ok, false);
            }
        }
        finally
        {
            if (c is not null) await c.DisposeAsync();
        }
        return outcomes;
    }

    static async Task<Outcome?> CheckAsync(NpgsqlConnection c, string workerId, Guid trialId, MetricBatch batch, CancellationToken ct)
    {
        await using var check = new NpgsqlCommand("SELECT lease_id, worker_id, attempt, state FROM trials WHERE id = @t", c);
        check.Parameters.AddWithValue("t", trialId);
        await using var r = await check.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return Outcome.NotFound($"trial {trialId} does not exist");
        var lease = r.IsDBNull(0) ? (Guid?)null : r.GetGuid(0);
        if (lease == batch.LeaseId && (r.IsDBNull(1) ? null : r.GetString(1)) != workerId)
            return Outcome.NotHolder($"lease {batch.LeaseId} of trial {trialId} is not held by worker {workerId}");
        if (lease != batch.LeaseId || r.GetInt32(2) != batch.Attempt)
            return Outcome.NotLive($"lease {batch.LeaseId} (attempt {batch.Attempt}) is not the live lease of trial {trialId} (state {r.GetString(3)})");
        return null;
    }

    async Task<(Outcome Result, bool Stored)> IngestCopyAsync(string workerId, Guid trialId, MetricBatch batch, CancellationToken ct)
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
                return (Outcome.Ok, false);
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
        return (Outcome.Ok, true);
    }
}
