using Npgsql;
using Dggrn.Orchestrator.Infrastructure;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>One applied state change of a trial (as returned by <see cref="TrialTransitions.ApplyAsync"/>).</summary>
public sealed record TransitionRow(Guid TrialId, Guid ExperimentId, string From, string To, string? WorkerId, int Attempt,
    Guid? LeaseId, DateTimeOffset? LeaseExpiresAt);

/// <summary>Conditional trial updates that write their trial_transitions rows in the same statement.</summary>
/// <remarks>
/// PostgreSQL is the arbiter: a change applies only to rows that still match <c>where</c> at the moment they are
/// locked, so two racing callers (a heartbeat and the lease reaper, two silos) can never both win, and every
/// applied change has exactly one transition row.
/// </remarks>
public static class TrialTransitions
{
    /// <summary>Applies <paramref name="set"/> to the trials (alias t) matching <paramref name="where"/>.</summary>
    /// <param name="c">An open connection (in a transaction when the caller needs more than this statement).</param>
    /// <param name="where">SQL condition on alias t.</param>
    /// <param name="set">SQL assignments (t refers to the row before the update).</param>
    /// <param name="parameters">Parameters the SQL fragments use.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="reason">SQL expression for the transition's reason (may use the updated row's columns, or a parameter).</param>
    /// <param name="skipLocked">Skip rows another transaction holds (scans) instead of waiting (single-trial operations).</param>
    public static async Task<List<TransitionRow>> ApplyAsync(NpgsqlConnection c, string where, string set, string reason,
        IEnumerable<NpgsqlParameter> parameters, bool skipLocked = false, CancellationToken ct = default)
    {
        var sql = $"""
            WITH old AS (SELECT t.id, t.state, t.worker_id FROM trials t WHERE {where} FOR UPDATE OF t {(skipLocked ? "SKIP LOCKED" : "")}),
            upd AS (UPDATE trials t SET {set}, updated_at = now() FROM old WHERE t.id = old.id
                    RETURNING t.id, t.experiment_id, old.state AS from_state, t.state AS to_state,
                              coalesce(t.worker_id, old.worker_id) AS worker_id, t.attempt, t.lease_id, t.lease_expires_at, t.error),
            ins AS (INSERT INTO trial_transitions (trial_id, from_state, to_state, reason, worker_id, attempt, at)
                    SELECT id, from_state, to_state, {reason}, worker_id, attempt, now() FROM upd)
            SELECT id, experiment_id, from_state, to_state, worker_id, attempt, lease_id, lease_expires_at FROM upd
            """;
        await using var cmd = new NpgsqlCommand(sql, c);
        foreach (var p in parameters) cmd.Parameters.Add(p);
        var rows = new List<TransitionRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new TransitionRow(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.GetInt32(5), r.IsDBNull(6) ? null : r.GetGuid(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7)));
        return rows;
    }

    /// <summary>Recomputes the state of experiments after their trials changed (paused/cancelled experiments keep theirs).</summary>
    /// <param name="c">An open connection (in the transaction that changed the trials, if any).</param>
    /// <param name="experimentIds">The experiments whose trials changed.</param>
    /// <param name="ct">Cancels the statement.</param>
    /// <param name="grantsOnly">The change was leases granted, which can only make an experiment Running: one that is Running
    /// already is not recomputed (the common case, and the lease path is the hottest caller).</param>
    public static async Task RefreshExperimentsAsync(NpgsqlConnection c, IEnumerable<Guid> experimentIds, CancellationToken ct = default,
        bool grantsOnly = false)
    {
        var ids = experimentIds.Distinct().ToArray();
        if (ids.Length == 0) return;
        // Index probes on (experiment_id, state) only, and no write (no row lock) unless the state really changes:
        // completions of one experiment run concurrently and must not queue on the experiment row.
        var sql = $"""
            WITH s AS (
              SELECT e.id,
                CASE WHEN EXISTS (SELECT 1 FROM trials t WHERE t.experiment_id = e.id AND t.state IN {StateSql.Open})
                       THEN CASE WHEN EXISTS (SELECT 1 FROM trials t WHERE t.experiment_id = e.id AND t.state IN {StateSql.Started})
                                 THEN {StateSql.Running} ELSE {StateSql.Pending} END
                     WHEN EXISTS (SELECT 1 FROM trials t WHERE t.experiment_id = e.id AND t.state = {StateSql.Failed}) THEN {StateSql.Failed}
                     WHEN EXISTS (SELECT 1 FROM trials t WHERE t.experiment_id = e.id AND t.state = {StateSql.Cancelled}) THEN {StateSql.Cancelled}
                     ELSE {StateSql.Succeeded} END AS next
              FROM experiments e WHERE e.id = ANY(@ids) AND e.state NOT IN ({StateSql.Paused},{StateSql.Cancelled}){(grantsOnly ? $" AND e.state <> {StateSql.Running}" : "")})
            UPDATE experiments e SET state = s.next,
              started_at = CASE WHEN s.next <> {StateSql.Pending} THEN coalesce(e.started_at, now()) ELSE e.started_at END,
              finished_at = CASE WHEN s.next IN {StateSql.Terminal} THEN coalesce(e.finished_at, now()) ELSE NULL END
            FROM s WHERE e.id = s.id AND e.state <> s.next
            """;
        await using var cmd = new NpgsqlCommand(sql, c);
        cmd.Parameters.AddWithValue("ids", ids);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
