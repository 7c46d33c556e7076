using Dggrn.Contracts.Trials;
using Npgsql;
using Dggrn.Orchestrator.Infrastructure;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>User control of trials and experiments: cancel, pause, resume (PostgreSQL).</summary>
/// <remarks>
/// Cancel moves a live trial straight to Cancelled and keeps its lease id, so the worker's next heartbeat
/// is answered with the trial in <c>Cancel</c>. Pause returns a live trial to Pending (not counted as an
/// attempt) and holds it there; the worker likewise sees it in <c>Cancel</c> and stops, and the trial later
/// resumes from its newest checkpoint.
/// </remarks>
public sealed class ControlStore(NpgsqlDataSource data)
{
    static readonly string Open = $"t.state IN {StateSql.Open}";

    static string Where(ControlScope scope) => scope == ControlScope.Trial ? "t.id = @id" : "t.experiment_id = @id";

    /// <summary>Cancels the open trials of <paramref name="scope"/> <paramref name="id"/>; returns the trials it changed.</summary>
    public async Task<Guid[]> CancelAsync(ControlScope scope, Guid id, string by, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var rows = await TrialTransitions.ApplyAsync(c, $"{Where(scope)} AND {Open}",
            $"state = {StateSql.Cancelled}, cancel_requested = true, lease_expires_at = NULL, finished_at = now()",
            "'cancelled by ' || @by", [new("id", id), new("by", by)], ct: ct);
        await TrialTransitions.RefreshExperimentsAsync(c, rows.Select(r => r.ExperimentId), ct);
        await tx.CommitAsync(ct);
        return [.. rows.Select(r => r.TrialId)];
    }

    /// <summary>Pauses the trials of <paramref name="scope"/> <paramref name="id"/>: live ones go back to Pending; all stay
    /// unleased until resumed. Returns the live trials it stopped.</summary>
    public async Task<Guid[]> PauseAsync(ControlScope scope, Guid id, string by, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var rows = await TrialTransitions.ApplyAsync(c, $"{Where(scope)} AND t.state IN {StateSql.Live}",
            $"state = {StateSql.Pending}, paused = true, lease_id = NULL, lease_expires_at = NULL, max_attempts = t.max_attempts + 1",
            "'paused by ' || @by", [new("id", id), new("by", by)], ct: ct);
        await using (var cmd = new NpgsqlCommand($"UPDATE trials t SET paused = true, updated_at = now() WHERE {Where(scope)} AND t.state = {StateSql.Pending}", c))
        {
            cmd.Parameters.AddWithValue("id", id);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await TrialTransitions.RefreshExperimentsAsync(c, rows.Select(r => r.ExperimentId), ct);
        await tx.CommitAsync(ct);
        return [.. rows.Select(r => r.TrialId)];
    }

    /// <summary>Clears the pause of the trials of <paramref name="scope"/> <paramref name="id"/>; returns how many.</summary>
    public async Task<int> ResumeAsync(ControlScope scope, Guid id, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"UPDATE trials t SET paused = false, updated_at = now() WHERE {Where(scope)} AND t.paused", c);
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Sets an experiment's user state (Paused, Cancelled) or, with null, recomputes it from its trials.</summary>
    public async Task SetExperimentStateAsync(Guid experimentId, ExperimentState? state, CancellationToken ct = default)
    {
        await using var c = await data.OpenConnectionAsync(ct);
        var sql = state is null
            ? $"UPDATE experiments SET state = CASE WHEN started_at IS NULL THEN {StateSql.Pending} ELSE {StateSql.Running} END WHERE id = @id AND state IN ({StateSql.Paused})"
            : $"UPDATE experiments SET state = @state, finished_at = CASE WHEN @state = {StateSql.Cancelled} THEN now() ELSE finished_at END WHERE id = @id AND state NOT IN {StateSql.Terminal}";
        await using (var cmd = new NpgsqlCommand(sql, c))
        {
            cmd.Parameters.AddWithValue("id", experimentId);
            if (state is not null) cmd.Parameters.AddWithValue("state", state.Value.ToString());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (state is null) await TrialTransitions.RefreshExperimentsAsync(c, [experimentId], ct);
    }
}

/// <summary>What a control operation applies to: one trial, or every trial of an experiment.</summary>
public enum ControlScope
{
    /// <summary>The trial with the id.</summary>
    Trial,
    /// <summary>Every trial of the experiment with the id.</summary>
    Experiment,
}
