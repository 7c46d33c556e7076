using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Microsoft.Extensions.Options;
using Npgsql;
using Dggrn.Orchestrator.Infrastructure;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>Leases, lease renewal and lease expiry, in PostgreSQL.</summary>
/// <remarks>
/// A lease is granted only by a conditional update of a Pending row, so a trial never has two live leases even
/// when several schedulers race. Leases run concurrently (the scheduler grain interleaves them): each one locks its
/// candidates with SKIP LOCKED in the transaction that grants them, so concurrent leasers take disjoint trials
/// instead of colliding on the head of the queue. Fair share: candidates are ranked by experiment priority, then by the
/// experiment's running trials plus the candidate's rank within its experiment, which interleaves experiments of equal
/// priority (among the trials no concurrent lease holds at that moment).
/// </remarks>
public sealed class LeaseStore(NpgsqlDataSource data, IOptions<OrchestratorOptions> options)
{
    static readonly JsonSerializerOptions Json = WireJson.Options;
    OrchestratorOptions O => options.Value;

    /// <summary>Leases up to <see cref="LeaseRequest.MaxTrials"/> trials that fit the worker's device and memory.</summary>
    public async Task<LeaseGrant[]> LeaseAsync(string workerId, LeaseRequest request, CancellationToken ct = default)
    {
        if (request.MaxTrials <= 0) return [];
        await using var c = await data.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var chosen = await ChooseAsync(c, request, ct);
        if (chosen.Count == 0) return [];
        var rows = await TrialTransitions.ApplyAsync(c,
            $"t.id = ANY(@ids) AND t.state = {StateSql.Pending} AND NOT t.paused",
            $"state = {StateSql.Leased}, attempt = t.attempt + 1, worker_id = @w, lease_id = gen_random_uuid(), lease_expires_at = now() + make_interval(secs => @ttl), cancel_requested = false",
            "'leased'",
            [new("ids", chosen.ToArray()), new("w", workerId), new("ttl", (double)O.LeaseTtlSeconds)], skipLocked: true, ct);
        await TrialTransitions.RefreshExperimentsAsync(c, rows.Select(r => r.ExperimentId), ct, grantsOnly: true);
        await tx.CommitAsync(ct);
        if (rows.Count == 0) return [];

        var ids = rows.Select(r => r.TrialId).ToArray();
        var configs = new Dictionary<Guid, (string Json, string Identity)>();
        await using (var cmd = new NpgsqlCommand("SELECT id, config_json::text, identity FROM trials WHERE id = ANY(@ids)", c))
        {
            cmd.Parameters.AddWithValue("ids", ids);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) configs[r.GetGuid(0)] = (r.GetString(1), r.GetString(2));
        }
        // A first attempt has no checkpoints to resume from: skip the query (most leases of a fresh grid).
        var retried = rows.Where(r => r.Attempt > 1).Select(r => r.TrialId).ToArray();
        var resume = retried.Length > 0 ? await CheckpointQueries.LatestAsync(c, retried, ct) : [];
        return [.. rows.OrderBy(r => chosen.IndexOf(r.TrialId)).Select(r => new LeaseGrant(
            r.TrialId, r.ExperimentId, r.Attempt, r.LeaseId!.Value, r.LeaseExpiresAt!.Value,
            JsonSerializer.Deserialize<TrialConfig>(configs[r.TrialId].Json, Json)!, configs[r.TrialId].Identity,
            resume.GetValueOrDefault(r.TrialId)))];
    }

    /// <summary>Picks and locks (inside the caller's transaction) the trials to lease, best first.</summary>
    static async Task<List<Guid>> ChooseAsync(NpgsqlConnection c, LeaseRequest request, CancellationToken ct)
    {
        var sql = $"""
            WITH running AS (SELECT experiment_id, count(*)::int AS n FROM trials WHERE state IN {StateSql.Live} GROUP BY experiment_id),
            cand AS (SELECT q.id, e.id AS experiment_id, q.memory_estimate_bytes, e.priority,
                            row_number() OVER (PARTITION BY e.id ORDER BY q.created_at, q.key) AS rn
                     FROM experiments e
                     -- Only the head of each experiment's queue is read (ix_trials_pending_queue), not every pending trial;
                     -- rows a concurrent lease holds are skipped, not waited for.
                     CROSS JOIN LATERAL (
                       SELECT t.id, t.memory_estimate_bytes, t.created_at, t.key
                       FROM trials t WHERE t.experiment_id = e.id AND t.state = {StateSql.Pending} AND NOT t.paused AND t.device IN ('any', @kind)
                       ORDER BY t.created_at, t.key LIMIT @limit
                       FOR UPDATE OF t SKIP LOCKED) q
                     WHERE e.state IN ({StateSql.Pending},{StateSql.Running}))
            SELECT c.id, c.memory_estimate_bytes FROM cand c LEFT JOIN running r USING (experiment_id)
            ORDER BY c.priority DESC, c.rn + coalesce(r.n, 0), c.experiment_id
            LIMIT @limit
            """;
        var kind = request.Device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) ? "cuda" : "cpu";
        var free = request.FreeMemoryBytes > 0 ? request.FreeMemoryBytes : long.MaxValue;
        var chosen = new List<Guid>();
        await using var cmd = new NpgsqlCommand(sql, c);
        // Candidates beyond MaxTrials are only needed to skip trials that do not fit the worker's free memory; every
        // candidate stays locked until this lease commits, so a lease without a memory limit locks no more than it takes.
        cmd.Parameters.AddWithValue("limit", (long)(request.FreeMemoryBytes > 0 ? Math.Max(request.MaxTrials * 4, 16) : request.MaxTrials));
        cmd.Parameters.AddWithValue("kind", kind);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct) && chosen.Count < request.MaxTrials)
        {
            var (id, memory) = (r.GetGuid(0), r.GetInt64(1));
            if (memory > free) continue;
            free -= memory;
            chosen.Add(id);
        }
        return chosen;
    }

    /// <summary>Returns trials whose lease lapsed to Pending (attempt + 1 at the next lease), or fails them after MaxAttempts.</summary>
    public async Task<List<TransitionRow>> ReapExpiredAsync(CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var rows = await TrialTransitions.ApplyAsync(c,
            $"t.state IN {StateSql.Live} AND t.lease_expires_at < now()",
            $"""
            state = CASE WHEN t.attempt >= t.max_attempts THEN {StateSql.Failed} ELSE {StateSql.Pending} END,
            error = 'lease expired: worker ' || coalesce(t.worker_id, '?') || ' stopped renewing it (attempt ' || t.attempt || ')',
            lease_id = NULL, lease_expires_at = NULL,
            finished_at = CASE WHEN t.attempt >= t.max_attempts THEN now() ELSE NULL END
            """,
            "'lease expired'", [], skipLocked: true, ct);
        await TrialTransitions.RefreshExperimentsAsync(c, rows.Select(r => r.ExperimentId), ct);
        await tx.CommitAsync(ct);
        return rows;
    }

    /// <summary>Renews the worker's live leases; reports which trials to cancel and which leases it lost.</summary>
    public async Task<HeartbeatResponse> HeartbeatAsync(string workerId, HeartbeatRequest request, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        await using (var w = new NpgsqlCommand("UPDATE workers SET last_heartbeat_at = now(), free_slots = @f, state = 'Active' WHERE id = @w", c))
        {
            w.Parameters.AddWithValue("f", request.FreeSlots);
            w.Parameters.AddWithValue("w", workerId);
            await w.ExecuteNonQueryAsync(ct);
        }
        var expires = DateTimeOffset.UtcNow.AddSeconds(O.LeaseTtlSeconds);
        if (request.Trials.Length == 0) return new HeartbeatResponse(expires, [], []);

        var renewed = new HashSet<Guid>();
        var renew = $"""
            UPDATE trials t SET lease_expires_at = now() + make_interval(secs => @ttl), epoch = greatest(t.epoch, p.epoch),
                                step = greatest(t.step, p.step), updated_at = now()
            FROM unnest(@tid, @lid, @ep, @st) AS p(trial_id, lease_id, epoch, step)
            WHERE t.id = p.trial_id AND t.lease_id = p.lease_id AND t.worker_id = @w AND t.state IN {StateSql.Live}
            RETURNING t.id
            """;
        await using (var cmd = new NpgsqlCommand(renew, c))
        {
            cmd.Parameters.AddWithValue("ttl", (double)O.LeaseTtlSeconds);
            cmd.Parameters.AddWithValue("tid", request.Trials.Select(t => t.TrialId).ToArray());
            cmd.Parameters.AddWithValue("lid", request.Trials.Select(t => t.LeaseId).ToArray());
            cmd.Parameters.AddWithValue("ep", request.Trials.Select(t => t.Epoch).ToArray());
            cmd.Parameters.AddWithValue("st", request.Trials.Select(t => t.Step).ToArray());
            cmd.Parameters.AddWithValue("w", workerId);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) renewed.Add(r.GetGuid(0));
        }
        var others = request.Trials.Where(t => !renewed.Contains(t.TrialId)).Select(t => t.TrialId).ToArray();
        var cancel = new List<Guid>();
        var lost = new List<Guid>();
        if (others.Length > 0)
        {
            await using var cmd = new NpgsqlCommand("SELECT id, state, paused FROM trials WHERE id = ANY(@ids)", c);
            cmd.Parameters.AddWithValue("ids", others);
            var stopped = new HashSet<Guid>();
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct))
                    if (r.GetString(1) == nameof(TrialState.Cancelled) || r.GetBoolean(2)) stopped.Add(r.GetGuid(0));
            foreach (var id in others) (stopped.Contains(id) ? cancel : lost).Add(id);
        }
        return new HeartbeatResponse(expires, [.. cancel], [.. lost]);
    }
}
