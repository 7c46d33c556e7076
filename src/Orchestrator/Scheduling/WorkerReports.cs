using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Npgsql;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>Records a lease holder's checkpoints and artifacts.</summary>
public sealed class WorkerReports(NpgsqlDataSource data)
{
    static readonly JsonSerializerOptions Json = WireJson.Options;

    /// <summary>Records a verified checkpoint and applies retention (keep the latest plus the best N by test PSNR).</summary>
    /// <remarks>
    /// Keys retention drops are marked retired and handed to the worker, which deletes the objects; records
    /// retired by an earlier call are forgotten now, after the worker had a full checkpoint interval to delete them.
    /// A retried record (same key) is idempotent.
    /// </remarks>
    public async Task<(Outcome, CheckpointRecordResponse?)> RecordCheckpointAsync(string workerId, Guid trialId, CheckpointRecordRequest r, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var check = await TrialStore.CheckLeaseAsync(c, trialId, r.LeaseId, workerId, ct);
        if (!check.IsOk) return (check, null);
        var cp = r.Checkpoint;
        await using (var ins = new NpgsqlCommand("""
            INSERT INTO checkpoints (trial_id, attempt, epoch, step, key, sha256, size_bytes, test_psnr, created_at)
            VALUES (@t, @a, @e, @s, @k, @h, @z, @p, now()) ON CONFLICT (key) DO NOTHING
            """, c))
        {
            ins.Parameters.AddWithValue("t", trialId); ins.Parameters.AddWithValue("a", cp.Attempt); ins.Parameters.AddWithValue("e", cp.Epoch);
            ins.Parameters.AddWithValue("s", cp.Step); ins.Parameters.AddWithValue("k", cp.Key); ins.Parameters.AddWithValue("h", cp.Sha256);
            ins.Parameters.AddWithValue("z", cp.SizeBytes); ins.Parameters.AddWithValue("p", (object?)cp.TestPsnr ?? DBNull.Value);
            await ins.ExecuteNonQueryAsync(ct);
        }
        int keepBest;
        await using (var q = new NpgsqlCommand("SELECT config_json::text FROM trials WHERE id = @t", c))
        {
            q.Parameters.AddWithValue("t", trialId);
            keepBest = JsonSerializer.Deserialize<TrialConfig>((string)(await q.ExecuteScalarAsync(ct))!, Json)!.Training.KeepBest;
        }
        await using (var forget = new NpgsqlCommand("DELETE FROM checkpoints WHERE trial_id = @t AND retired_at IS NOT NULL", c))
        {
            forget.Parameters.AddWithValue("t", trialId);
            await forget.ExecuteNonQueryAsync(ct);
        }
        const string retire = """
            WITH ranked AS (
              SELECT id, row_number() OVER (ORDER BY epoch DESC, step DESC, id DESC) AS newest,
                         row_number() OVER (ORDER BY test_psnr DESC NULLS LAST, epoch DESC, id DESC) AS best
              FROM checkpoints WHERE trial_id = @t AND retired_at IS NULL)
            UPDATE checkpoints c SET retired_at = now() FROM ranked
            WHERE c.id = ranked.id AND ranked.newest > 1 AND ranked.best > @keep
            RETURNING c.key
            """;
        var delete = new List<string>();
        await using (var cmd = new NpgsqlCommand(retire, c))
        {
            cmd.Parameters.AddWithValue("t", trialId);
            cmd.Parameters.AddWithValue("keep", (long)keepBest);
            await using var rd = await cmd.ExecuteReaderAsync(ct);
            while (await rd.ReadAsync(ct)) delete.Add(rd.GetString(0));
        }
        await tx.CommitAsync(ct);
        return (Outcome.Ok, new CheckpointRecordResponse([.. delete]));
    }

    /// <summary>Records an example image or feature map.</summary>
    public async Task<Outcome> RecordArtifactAsync(string workerId, Guid trialId, ArtifactRecordRequest r, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        var check = await TrialStore.CheckLeaseAsync(c, trialId, r.LeaseId, workerId, ct);
        if (!check.IsOk) return check;
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO artifacts (trial_id, epoch, kind, axis, slice, key, created_at) VALUES (@t, @e, @k, @a, @s, @key, now())", c);
        cmd.Parameters.AddWithValue("t", trialId); cmd.Parameters.AddWithValue("e", r.Epoch); cmd.Parameters.AddWithValue("k", r.Kind);
        cmd.Parameters.AddWithValue("a", r.Axis); cmd.Parameters.AddWithValue("s", r.Slice); cmd.Parameters.AddWithValue("key", r.Key);
        await cmd.ExecuteNonQueryAsync(ct);
        return Outcome.Ok;
    }
}
