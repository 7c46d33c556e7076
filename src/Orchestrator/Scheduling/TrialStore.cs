using System.Text.Json;
using Dggrn.Contracts.Api;
using Npgsql;
using NpgsqlTypes;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>The lease holder's reports about one trial (started, complete, failed, release), in PostgreSQL.</summary>
/// <remarks>Every report names its lease; a report whose lease is no longer the trial's live lease is a 409, so a worker
/// that lost its lease can never overwrite the work of the next one. Retried reports that already applied return OK.</remarks>
public sealed class TrialStore(NpgsqlDataSource data)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    const string Live = "t.id = @id AND t.lease_id = @lease AND t.state IN ('Leased','Running')";

    /// <summary>Leased -> Running.</summary>
    public async Task<OpResult> StartedAsync(Guid trialId, TrialStartedRequest r, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        var rows = await TrialTransitions.ApplyAsync(c, "t.id = @id AND t.lease_id = @lease AND t.state = 'Leased'",
            "state = 'Running', resumed_from_epoch = coalesce(@resumed, t.resumed_from_epoch), started_at = coalesce(t.started_at, now())",
            "CASE WHEN @resumed::int IS NULL THEN 'started' ELSE 'resumed from epoch ' || @resumed::int END",
            [new("id", trialId), new("lease", r.LeaseId), new("resumed", NpgsqlDbType.Integer) { Value = (object?)r.ResumedFromEpoch ?? DBNull.Value }], ct: ct);
        return rows.Count > 0 ? OpResult.Ok : await ExplainAsync(c, trialId, r.LeaseId, "Running", ct);
    }

    /// <summary>Running -> Succeeded with the final evaluation (per-axis rows with per-slice values).</summary>
    public async Task<OpResult> CompleteAsync(Guid trialId, TrialCompletedRequest r, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var rows = await TrialTransitions.ApplyAsync(c, Live,
            """
            state = 'Succeeded', result_json = @result::jsonb, epoch = @epoch, parameters = @params, seconds = @secs,
            best_psnr = greatest(@psnr, (SELECT max(value) FROM metrics m WHERE m.trial_id = t.id AND m.name = 'test/psnr')),
            lease_expires_at = NULL, finished_at = now(), error = NULL
            """,
            "'completed'",
            [new("id", trialId), new("lease", r.LeaseId), new("result", JsonSerializer.Serialize(r.Result, Json)), new("epoch", r.Epoch),
             new("params", r.Parameters), new("secs", r.Seconds), new("psnr", r.Result.Overall.Psnr)], ct: ct);
        if (rows.Count == 0)
        {
            await tx.RollbackAsync(ct);
            return await ExplainAsync(c, trialId, r.LeaseId, "Succeeded", ct);
        }
        const string eval = """
            INSERT INTO evaluations (trial_id, epoch, axis, slices, psnr, ssim, per_slice_psnr, per_slice_ssim)
            SELECT @id, @epoch, a.axis, a.slices, a.psnr, a.ssim, a.pp, a.ps
            FROM jsonb_to_recordset(@axes::jsonb) AS a(axis int, slices int, psnr float8, ssim float8, pp float8[], ps float8[])
            ON CONFLICT (trial_id, epoch, axis) DO UPDATE SET slices = excluded.slices, psnr = excluded.psnr, ssim = excluded.ssim,
              per_slice_psnr = excluded.per_slice_psnr, per_slice_ssim = excluded.per_slice_ssim
            """;
        var axes = r.Result.Axes.Select(kv => (Axis: int.TryParse(kv.Key, out var a) ? a : -2, kv.Value))
            .Append((Axis: -1, r.Result.Overall)).Where(x => x.Axis >= -1)
            .Select(x => new { axis = x.Axis, slices = x.Item2.Slices, psnr = x.Item2.Psnr, ssim = x.Item2.Ssim,
                pp = x.Item2.PerSlicePsnr ?? [], ps = x.Item2.PerSliceSsim ?? [] });
        await using (var cmd = new NpgsqlCommand(eval, c))
        {
            cmd.Parameters.AddWithValue("id", trialId);
            cmd.Parameters.AddWithValue("epoch", r.Epoch);
            cmd.Parameters.AddWithValue("axes", JsonSerializer.Serialize(axes));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await TrialTransitions.RefreshExperimentsAsync(c, rows.Select(x => x.ExperimentId), ct);
        await tx.CommitAsync(ct);
        return OpResult.Ok;
    }

    /// <summary>A failure: back to Pending while attempts remain and the error is retryable, else Failed.</summary>
    public async Task<OpResult> FailedAsync(Guid trialId, TrialFailedRequest r, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        var rows = await TrialTransitions.ApplyAsync(c, Live,
            """
            state = CASE WHEN @retry AND t.attempt < t.max_attempts THEN 'Pending' ELSE 'Failed' END, error = @error,
            lease_id = NULL, lease_expires_at = NULL, finished_at = CASE WHEN @retry AND t.attempt < t.max_attempts THEN NULL ELSE now() END
            """,
            "'failed: ' || @error",
            [new("id", trialId), new("lease", r.LeaseId), new("retry", r.Retryable), new("error", r.Error)], ct: ct);
        await TrialTransitions.RefreshExperimentsAsync(c, rows.Select(x => x.ExperimentId), ct);
        return rows.Count > 0 ? OpResult.Ok : await ExplainAsync(c, trialId, r.LeaseId, null, ct);
    }

    /// <summary>The worker hands the lease back (draining): Pending again, and the attempt does not count against MaxAttempts.</summary>
    public async Task<OpResult> ReleaseAsync(Guid trialId, TrialReleaseRequest r, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        var rows = await TrialTransitions.ApplyAsync(c, Live,
            "state = 'Pending', lease_id = NULL, lease_expires_at = NULL, max_attempts = t.max_attempts + 1",
            "'released: ' || @reason", [new("id", trialId), new("lease", r.LeaseId), new("reason", r.Reason)], ct: ct);
        await TrialTransitions.RefreshExperimentsAsync(c, rows.Select(x => x.ExperimentId), ct);
        return rows.Count > 0 ? OpResult.Ok : await ExplainAsync(c, trialId, r.LeaseId, null, ct);
    }

    /// <summary>Whether <paramref name="leaseId"/> is the live lease of the trial (for reports that change no state).</summary>
    public async Task<OpResult> CheckLeaseAsync(NpgsqlConnection c, Guid trialId, Guid leaseId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT lease_id, state FROM trials WHERE id = @id", c);
        cmd.Parameters.AddWithValue("id", trialId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return OpResult.NotFound($"trial {trialId} does not exist");
        if (r.IsDBNull(0) || r.GetGuid(0) != leaseId)
            return OpResult.Conflict($"lease {leaseId} is not the live lease of trial {trialId} (state {r.GetString(1)})");
        return OpResult.Ok;
    }

    /// <summary>Why a conditional update applied to nothing: unknown trial, stale lease, or an already-applied retry (OK).</summary>
    static async Task<OpResult> ExplainAsync(NpgsqlConnection c, Guid trialId, Guid leaseId, string? idempotentState, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT lease_id, state FROM trials WHERE id = @id", c);
        cmd.Parameters.AddWithValue("id", trialId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return OpResult.NotFound($"trial {trialId} does not exist");
        var lease = r.IsDBNull(0) ? (Guid?)null : r.GetGuid(0);
        var state = r.GetString(1);
        if (lease == leaseId && state == idempotentState) return OpResult.Ok;
        return OpResult.Conflict(lease == leaseId
            ? $"trial {trialId} is {state}; the report does not apply"
            : $"lease {leaseId} is not the live lease of trial {trialId} (state {state})");
    }
}
