using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Npgsql;
using NpgsqlTypes;
using Dggrn.Orchestrator.Infrastructure;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>One report of a worker about one trial, as the store writes it.</summary>
public sealed record TrialReport<T>(string Worker, Guid Trial, T Report);

/// <summary>A trial's completion, with its start when both arrived together (the start's lease is the completion's).</summary>
public sealed record Completion(TrialCompletedRequest Complete, TrialStartedRequest? Started = null);

/// <summary>The lease holder's reports about trials (started, complete, failed, release, log lines), in PostgreSQL.</summary>
/// <remarks>Every write is a conditional update on the trial's live lease and its holder, so PostgreSQL stays the arbiter when
/// the scheduler's lease scan races a report: a worker that lost its lease can never overwrite the work of the next one.
/// The trial grain validates first and calls these only for reports it expects to apply; several trials' reports of one kind
/// are written by one statement (the grains' writes are group-committed, <see cref="TrialWrites"/>). Retried reports that
/// already applied return OK.</remarks>
public sealed class TrialStore(NpgsqlDataSource data)
{
    static readonly JsonSerializerOptions Json = WireJson.Options;
    static readonly string Live = $"t.id = @id AND t.lease_id = @lease AND t.worker_id = @w AND t.state IN {StateSql.Live}";

    /// <summary>The trial's lease columns; null when the trial does not exist.</summary>
    public async Task<TrialLease?> LoadAsync(Guid trialId, CancellationToken ct = default)
    {
        await using var cmd = data.CreateCommand("SELECT state, lease_id, worker_id, attempt, lease_expires_at FROM trials WHERE id = @id");
        cmd.Parameters.AddWithValue("id", trialId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new TrialLease(Enum.Parse<TrialState>(r.GetString(0)), r.IsDBNull(1) ? null : r.GetGuid(1), r.IsDBNull(2) ? null : r.GetString(2),
            r.GetInt32(3), r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4));
    }

    /// <summary>Leased -> Running for several trials in one statement; one outcome per item, in order.</summary>
    public async Task<Outcome[]> StartedAsync(IReadOnlyList<TrialReport<TrialStartedRequest>> items, CancellationToken ct = default)
    {
        if (items.Count == 0) return [];
        var sql = $"""
            WITH i AS (SELECT * FROM unnest(@ids, @leases, @workers, @resumed, @envs) AS i(id, lease, worker, resumed, env)),
            old AS (SELECT t.id, t.state, t.worker_id FROM trials t JOIN i ON i.id = t.id
                    WHERE t.lease_id = i.lease AND t.state = {StateSql.Leased} AND t.worker_id = i.worker
                    ORDER BY t.id FOR UPDATE OF t),
            upd AS (UPDATE trials t SET state = {StateSql.Running}, resumed_from_epoch = coalesce(i.resumed, t.resumed_from_epoch),
                      environment_json = coalesce(i.env::jsonb, t.environment_json),
                      started_at = coalesce(t.started_at, now()), updated_at = now()
                    FROM old JOIN i ON i.id = old.id WHERE t.id = old.id
                    RETURNING t.id, old.state AS from_state, t.state AS to_state, coalesce(t.worker_id, old.worker_id) AS worker_id,
                              t.attempt, i.resumed),
            ins AS (INSERT INTO trial_transitions (trial_id, from_state, to_state, reason, worker_id, attempt, at)
                    SELECT id, from_state, to_state, {StartReason("resumed")},
                           worker_id, attempt, now() FROM upd)
            SELECT id FROM upd
            """;
        var unique = Unique(items);
        await using var c = await data.OpenConnectionAsync(ct);
        var applied = new HashSet<Guid>();
        await using (var cmd = new NpgsqlCommand(sql, c))
        {
            cmd.Parameters.AddWithValue("ids", unique.Select(x => x.Trial).ToArray());
            cmd.Parameters.AddWithValue("leases", unique.Select(x => x.Report.LeaseId).ToArray());
            cmd.Parameters.AddWithValue("workers", unique.Select(x => x.Worker).ToArray());
            cmd.Parameters.Add(new NpgsqlParameter("resumed", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = unique.Select(x => x.Report.ResumedFromEpoch).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("envs", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = unique.Select(x => EnvironmentJson(x.Report)).ToArray() });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) applied.Add(r.GetGuid(0));
        }
        // A retried start of a trial that already went on (even to its end) under the same lease did apply.
        return await OutcomesAsync(c, items, x => x.LeaseId, applied, "Running|Succeeded", ct);
    }

    /// <summary>Leased or Running -> Succeeded with the final evaluation (per-axis rows with per-slice values) for several trials
    /// in one transaction; one outcome per item, in order. An item that carries its trial's start too (<see cref="Completion.Started"/>:
    /// a trial shorter than a round trip reports both at once) goes Leased -> Running -> Succeeded in the same statement, with
    /// both transitions and the start's environment, so its whole life costs one write.</summary>
    public async Task<Outcome[]> CompleteAsync(IReadOnlyList<TrialReport<Completion>> items, CancellationToken ct = default)
    {
        if (items.Count == 0) return [];
        // One statement finishes the trials, writes their transitions and their evaluation rows (one per axis plus
        // "overall" as axis -1); the experiments' states are recomputed by a second statement, which must see the new states.
        var sql = $"""
            WITH i AS (SELECT * FROM unnest(@ids, @leases, @workers, @results, @axes, @epochs, @params, @secs, @psnr, @started, @resumed, @envs)
                         AS i(id, lease, worker, result, axes, epoch, params, secs, psnr, started, resumed, env)),
            old AS (SELECT t.id, t.state, t.worker_id FROM trials t JOIN i ON i.id = t.id
                    WHERE t.lease_id = i.lease AND t.state IN {StateSql.Live} AND t.worker_id = i.worker
                    ORDER BY t.id FOR UPDATE OF t),
            upd AS (UPDATE trials t SET state = {StateSql.Succeeded}, result_json = i.result::jsonb, epoch = i.epoch, parameters = i.params,
                      seconds = i.secs, lease_expires_at = NULL, finished_at = now(), error = NULL, updated_at = now(),
                      best_psnr = greatest(i.psnr, (SELECT max(value) FROM metrics m WHERE m.trial_id = t.id AND m.name = 'test/psnr')),
                      resumed_from_epoch = CASE WHEN i.started THEN coalesce(i.resumed, t.resumed_from_epoch) ELSE t.resumed_from_epoch END,
                      environment_json = coalesce(i.env::jsonb, t.environment_json),
                      started_at = CASE WHEN i.started THEN coalesce(t.started_at, now()) ELSE t.started_at END
                    FROM old JOIN i ON i.id = old.id WHERE t.id = old.id
                    RETURNING t.id, t.experiment_id, old.state AS from_state, t.state AS to_state,
                              coalesce(t.worker_id, old.worker_id) AS worker_id, t.attempt, i.epoch, i.axes,
                              i.started AND old.state = {StateSql.Leased} AS via_running, i.resumed),
            ins AS (INSERT INTO trial_transitions (trial_id, from_state, to_state, reason, worker_id, attempt, at)
                    SELECT u.id, v.from_state, v.to_state, v.reason, u.worker_id, u.attempt, now()
                    FROM upd u CROSS JOIN LATERAL (VALUES
                      (1, u.from_state, {StateSql.Running}, {StartReason("u.resumed")}),
                      (2, CASE WHEN u.via_running THEN {StateSql.Running} ELSE u.from_state END, u.to_state, 'completed'))
                      AS v(n, from_state, to_state, reason)
                    WHERE v.n = 2 OR u.via_running
                    ORDER BY u.id, v.n),
            ev AS (INSERT INTO evaluations (trial_id, epoch, axis, slices, psnr, ssim, per_slice_psnr, per_slice_ssim)
                   SELECT u.id, u.epoch, a.axis, a.slices, a.psnr, a.ssim, a.pp, a.ps
                   FROM upd u CROSS JOIN LATERAL jsonb_to_recordset(u.axes::jsonb)
                     AS a(axis int, slices int, psnr float8, ssim float8, pp float8[], ps float8[])
                   ON CONFLICT (trial_id, epoch, axis) DO UPDATE SET slices = excluded.slices, psnr = excluded.psnr, ssim = excluded.ssim,
                     per_slice_psnr = excluded.per_slice_psnr, per_slice_ssim = excluded.per_slice_ssim)
            SELECT id, experiment_id FROM upd
            """;
        var unique = Unique(items);
        await using var c = await data.OpenConnectionAsync(ct);
        var applied = new HashSet<Guid>();
        var experiments = new HashSet<Guid>();
        await using (var tx = await c.BeginTransactionAsync(ct))
        {
            await using (var cmd = new NpgsqlCommand(sql, c, tx))
            {
                cmd.Parameters.AddWithValue("ids", unique.Select(x => x.Trial).ToArray());
                cmd.Parameters.AddWithValue("leases", unique.Select(x => x.Report.Complete.LeaseId).ToArray());
                cmd.Parameters.AddWithValue("workers", unique.Select(x => x.Worker).ToArray());
                cmd.Parameters.AddWithValue("results", unique.Select(x => JsonSerializer.Serialize(x.Report.Complete.Result, Json)).ToArray());
                cmd.Parameters.AddWithValue("axes", unique.Select(x => AxesJson(x.Report.Complete.Result)).ToArray());
                cmd.Parameters.AddWithValue("epochs", unique.Select(x => x.Report.Complete.Epoch).ToArray());
                cmd.Parameters.AddWithValue("params", unique.Select(x => x.Report.Complete.Parameters).ToArray());
                cmd.Parameters.AddWithValue("secs", unique.Select(x => x.Report.Complete.Seconds).ToArray());
                cmd.Parameters.AddWithValue("psnr", unique.Select(x => x.Report.Complete.Result.Overall.Psnr).ToArray());
                cmd.Parameters.AddWithValue("started", unique.Select(x => x.Report.Started is not null).ToArray());
                cmd.Parameters.Add(new NpgsqlParameter("resumed", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = unique.Select(x => x.Report.Started?.ResumedFromEpoch).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter("envs", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = unique.Select(x => EnvironmentJson(x.Report.Started)).ToArray() });
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    applied.Add(r.GetGuid(0));
                    experiments.Add(r.GetGuid(1));
                }
            }
            await TrialTransitions.RefreshExperimentsAsync(c, experiments, ct);
            await tx.CommitAsync(ct);
        }
        return await OutcomesAsync(c, items, x => x.Complete.LeaseId, applied, "Succeeded", ct);
    }

    /// <summary>A failure: back to Pending while attempts remain and the error is retryable (a divergence never is), else Failed.</summary>
    public async Task<Outcome> FailedAsync(TrialReport<TrialFailedRequest> item, CancellationToken ct = default)
    {
        var r = item.Report;
        await using var c = await data.OpenConnectionAsync(ct);
        var rows = await TrialTransitions.ApplyAsync(c, Live,
            $"""
            state = CASE WHEN @retry AND t.attempt < t.max_attempts THEN {StateSql.Pending} ELSE {StateSql.Failed} END, error = @error, diverged = @diverged,
            lease_id = NULL, lease_expires_at = NULL, finished_at = CASE WHEN @retry AND t.attempt < t.max_attempts THEN NULL ELSE now() END
            """,
            "'failed: ' || @error",
            [new("id", item.Trial), new("lease", r.LeaseId), new("w", item.Worker), new("retry", r.Retryable && !r.Diverged), new("error", r.Error),
             new("diverged", r.Diverged)], ct: ct);
        await TrialTransitions.RefreshExperimentsAsync(c, rows.Select(x => x.ExperimentId), ct);
        return rows.Count > 0 ? Outcome.Ok : await ExplainAsync(c, item.Trial, r.LeaseId, item.Worker, null, ct);
    }

    /// <summary>The worker hands the lease back (draining): Pending again, and the attempt does not count against MaxAttempts.</summary>
    public async Task<Outcome> ReleaseAsync(TrialReport<TrialReleaseRequest> item, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        var rows = await TrialTransitions.ApplyAsync(c, Live,
            $"state = {StateSql.Pending}, lease_id = NULL, lease_expires_at = NULL, max_attempts = t.max_attempts + 1",
            "'released: ' || @reason", [new("id", item.Trial), new("lease", item.Report.LeaseId), new("w", item.Worker), new("reason", item.Report.Reason)], ct: ct);
        await TrialTransitions.RefreshExperimentsAsync(c, rows.Select(x => x.ExperimentId), ct);
        return rows.Count > 0 ? Outcome.Ok : await ExplainAsync(c, item.Trial, item.Report.LeaseId, item.Worker, null, ct);
    }

    /// <summary>Appends log lines of several trials (each under its lease) in one statement; one outcome per item.</summary>
    public async Task<Outcome[]> AppendLogsAsync(IReadOnlyList<TrialReport<TrialLogRequest>> items, CancellationToken ct = default)
    {
        if (items.Count == 0) return [];
        const string sql = """
            WITH i AS (SELECT * FROM unnest(@ids, @leases, @workers) WITH ORDINALITY AS i(id, lease, worker, n)),
            ok AS (SELECT i.n, t.id, t.attempt FROM i JOIN trials t ON t.id = i.id AND t.lease_id = i.lease AND t.worker_id = i.worker),
            l AS (SELECT * FROM unnest(@ln, @lines) AS l(n, line)),
            ins AS (INSERT INTO trial_logs (trial_id, attempt, line, at) SELECT ok.id, ok.attempt, l.line, now() FROM ok JOIN l ON l.n = ok.n)
            SELECT n FROM ok
            """;
        var applied = new HashSet<long>();
        await using var c = await data.OpenConnectionAsync(ct);
        await using (var cmd = new NpgsqlCommand(sql, c))
        {
            cmd.Parameters.AddWithValue("ids", items.Select(x => x.Trial).ToArray());
            cmd.Parameters.AddWithValue("leases", items.Select(x => x.Report.LeaseId).ToArray());
            cmd.Parameters.AddWithValue("workers", items.Select(x => x.Worker).ToArray());
            var lines = items.SelectMany((x, n) => x.Report.Lines.Select(l => (N: (long)n + 1, Line: l))).ToArray();
            cmd.Parameters.AddWithValue("ln", lines.Select(x => x.N).ToArray());
            cmd.Parameters.AddWithValue("lines", lines.Select(x => x.Line).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) applied.Add(r.GetInt64(0));
        }
        var outcomes = new Outcome[items.Count];
        for (int n = 0; n < items.Count; n++)
            outcomes[n] = applied.Contains(n + 1) ? Outcome.Ok : await ExplainAsync(c, items[n].Trial, items[n].Report.LeaseId, items[n].Worker, "Succeeded|Failed|Cancelled|Pending|Leased|Running", ct);
        return outcomes;
    }

    /// <summary>The reason a start's transition records (SQL over the resumed-from-epoch column <paramref name="resumed"/>): the
    /// same whether the start is written alone or with its completion.</summary>
    static string StartReason(string resumed) => $"CASE WHEN {resumed} IS NULL THEN 'started' ELSE 'resumed from epoch ' || {resumed} END";

    /// <summary>The environment a start records, as JSON; null when it names none.</summary>
    static string? EnvironmentJson(TrialStartedRequest? started) => started?.Environment is { } e ? JsonSerializer.Serialize(e, Json) : null;

    /// <summary>The evaluation rows of a result as JSON: one per axis, plus "overall" as axis -1.</summary>
    static string AxesJson(Contracts.Trials.EvalResult result) => JsonSerializer.Serialize(
        result.Axes.Select(kv => (Axis: int.TryParse(kv.Key, out var a) ? a : -2, kv.Value))
            .Append((Axis: -1, result.Overall)).Where(x => x.Axis >= -1)
            .Select(x => new { axis = x.Axis, slices = x.Item2.Slices, psnr = x.Item2.Psnr, ssim = x.Item2.Ssim,
                pp = x.Item2.PerSlicePsnr ?? [], ps = x.Item2.PerSliceSsim ?? [] }), Json);

    /// <summary>The last report per trial: a trial changes state once per statement.</summary>
    static List<TrialReport<T>> Unique<T>(IReadOnlyList<TrialReport<T>> items) =>
        items.GroupBy(x => x.Trial).Select(g => g.Last()).ToList();

    /// <summary>OK for applied items; for the rest, why not (see <see cref="ExplainAsync"/>).</summary>
    static async Task<Outcome[]> OutcomesAsync<T>(NpgsqlConnection c, IReadOnlyList<TrialReport<T>> items,
        Func<T, Guid> lease, HashSet<Guid> applied, string idempotentState, CancellationToken ct)
    {
        var outcomes = new Outcome[items.Count];
        for (int n = 0; n < items.Count; n++)
            outcomes[n] = applied.Contains(items[n].Trial) ? Outcome.Ok
                : await ExplainAsync(c, items[n].Trial, lease(items[n].Report), items[n].Worker, idempotentState, ct);
        return outcomes;
    }

    /// <summary>Whether <paramref name="leaseId"/> is the trial's live lease held by <paramref name="workerId"/> (for records that
    /// change no state: checkpoints, artifacts).</summary>
    public static async Task<Outcome> CheckLeaseAsync(NpgsqlConnection c, Guid trialId, Guid leaseId, string workerId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT 1 FROM trials WHERE id = @id AND lease_id = @lease AND worker_id = @w", c);
        cmd.Parameters.AddWithValue("id", trialId);
        cmd.Parameters.AddWithValue("lease", leaseId);
        cmd.Parameters.AddWithValue("w", workerId);
        return await cmd.ExecuteScalarAsync(ct) is not null ? Outcome.Ok
            : await ExplainAsync(c, trialId, leaseId, workerId, "Succeeded|Failed|Cancelled|Pending|Leased|Running", ct);
    }

    /// <summary>Why a conditional update applied to nothing: unknown trial, stale lease, a lease of another worker, or an
    /// already-applied retry (OK: same lease, state among the '|'-separated <c>idempotentState</c>s).</summary>
    internal static async Task<Outcome> ExplainAsync(NpgsqlConnection c, Guid trialId, Guid leaseId, string workerId, string? idempotentState,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT lease_id, state, worker_id FROM trials WHERE id = @id", c);
        cmd.Parameters.AddWithValue("id", trialId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return Outcome.NotFound($"trial {trialId} does not exist");
        var lease = r.IsDBNull(0) ? (Guid?)null : r.GetGuid(0);
        var state = r.GetString(1);
        // A lease id names one grant to one worker: presented by another worker it is refused outright.
        if (lease == leaseId && (r.IsDBNull(2) ? null : r.GetString(2)) != workerId)
            return Outcome.NotHolder($"lease {leaseId} of trial {trialId} is not held by worker {workerId}");
        if (lease == leaseId && idempotentState is not null && idempotentState.Split('|').Contains(state)) return Outcome.Ok;
        return Outcome.NotLive(lease == leaseId
            ? $"trial {trialId} is {state}; the report does not apply"
            : $"lease {leaseId} is not the live lease of trial {trialId} (state {state})");
    }
}
