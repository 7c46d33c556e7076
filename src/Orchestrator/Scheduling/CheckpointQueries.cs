using Dggrn.Contracts.Api;
using Npgsql;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>Reads of verified checkpoint records.</summary>
public static class CheckpointQueries
{
    /// <summary>The newest live (not retired) checkpoint of each trial, by epoch then step.</summary>
    public static async Task<Dictionary<Guid, CheckpointInfo>> LatestAsync(NpgsqlConnection c, Guid[] trialIds, CancellationToken ct)
    {
        const string sql = """
            SELECT DISTINCT ON (trial_id) trial_id, attempt, epoch, step, key, sha256, size_bytes, test_psnr
            FROM checkpoints WHERE trial_id = ANY(@ids) AND retired_at IS NULL
            ORDER BY trial_id, epoch DESC, step DESC, id DESC
            """;
        await using var cmd = new NpgsqlCommand(sql, c);
        cmd.Parameters.AddWithValue("ids", trialIds);
        var result = new Dictionary<Guid, CheckpointInfo>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result[r.GetGuid(0)] = Read(r, 1);
        return result;
    }

    /// <summary>Reads a <see cref="CheckpointInfo"/> from columns attempt, epoch, step, key, sha256, size_bytes, test_psnr at <paramref name="o"/>.</summary>
    public static CheckpointInfo Read(NpgsqlDataReader r, int o) => new(r.GetInt32(o), r.GetInt32(o + 1), r.GetInt64(o + 2), r.GetString(o + 3),
        r.GetString(o + 4), r.GetInt64(o + 5), r.IsDBNull(o + 6) ? null : r.GetDouble(o + 6));
}
