using Npgsql;
using NpgsqlTypes;

namespace Dggrn.Dashboard.Tests;

/// <summary>Long per-step series written by binary COPY (the orchestrator's large-batch path), for curve tests and the benchmark.</summary>
public static class StepSeries
{
    /// <summary>A training-loss-like curve: falling as 1/(1 + s/1000) with a small deterministic wiggle, always positive.</summary>
    public static double Loss(long step, int salt = 0) => 1.0 / (1 + step / 1000.0) + 0.001 * Math.Sin(step * 0.37 + salt);

    /// <summary>Writes (step, value) rows of <paramref name="name"/> for <paramref name="trialId"/> in one COPY statement.</summary>
    public static async Task CopyAsync(string connectionString, Guid trialId, string name, IEnumerable<(long Step, double Value)> points, int stepsPerEpoch = 1500)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var copy = await conn.BeginBinaryImportAsync("COPY metrics (trial_id, attempt, name, step, epoch, value, at) FROM STDIN (FORMAT BINARY)");
        var at = DateTimeOffset.UtcNow;
        foreach (var (step, value) in points)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(trialId, NpgsqlDbType.Uuid);
            await copy.WriteAsync(1, NpgsqlDbType.Integer);
            await copy.WriteAsync(name, NpgsqlDbType.Text);
            await copy.WriteAsync(step, NpgsqlDbType.Bigint);
            await copy.WriteAsync((int)(step / stepsPerEpoch) + 1, NpgsqlDbType.Integer);
            await copy.WriteAsync(value, NpgsqlDbType.Double);
            await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
        }
        await copy.CompleteAsync();
    }
}
