using System.Text.Json;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Dggrn.Dashboard.Tests;

/// <summary>Writes rows the way the orchestrator does, for tests and the benchmark.</summary>
public static class SeedData
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>An experiment with one trial per (method, dataset, blocks, filters, seed).</summary>
    public static async Task<ExperimentEntity> ExperimentAsync(LabDbContext db, string name,
        IEnumerable<(string Method, string Dataset, int Blocks, int Filters, int Scale, int Seed, TrialState State)> trials,
        string owner = "alice", int epochs = 65)
    {
        var now = DateTimeOffset.UtcNow;
        var e = new ExperimentEntity
        {
            Id = Guid.NewGuid(), Name = name, Owner = owner, State = ExperimentState.Running, CreatedAt = now.AddMinutes(-30), StartedAt = now.AddMinutes(-29),
        };
        foreach (var t in trials)
        {
            var config = new TrialConfig
            {
                Method = t.Method, Blocks = t.Blocks, Filters = t.Filters, Scale = t.Scale, Seed = t.Seed,
                Dataset = new DatasetRef { Name = t.Dataset, Train = ["phantom:seed=1"], Test = ["phantom:seed=2"], ContentHash = "abc" },
                Training = new TrainingSettings { Epochs = epochs },
            };
            e.Trials.Add(new TrialEntity
            {
                Id = Guid.NewGuid(), Key = $"{t.Method}-n{t.Blocks}-k{t.Filters}-x{t.Scale}-{t.Dataset}-s{t.Seed}",
                Identity = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()), Method = t.Method, Dataset = t.Dataset,
                Blocks = t.Blocks, Filters = t.Filters, Scale = t.Scale, Seed = t.Seed, Tables = t.Scale == 2 && t.Blocks == 8 && t.Filters == 64 ? ["1", "fig6"] : ["1"],
                ConfigJson = JsonSerializer.Serialize(config, Json), State = t.State, Attempt = t.State == TrialState.Pending ? 0 : 1,
                CreatedAt = now.AddMinutes(-30), UpdatedAt = now,
                StartedAt = t.State == TrialState.Pending ? null : now.AddMinutes(-20),
                FinishedAt = t.State.IsTerminal() ? now.AddMinutes(-10) : null,
            });
        }
        db.Experiments.Add(e);
        await db.SaveChangesAsync();
        return e;
    }

    /// <summary>Inserts per-epoch metric rows for a trial and NOTIFYs like the orchestrator after a batch commit.</summary>
    public static async Task MetricsAsync(string connectionString, Guid trialId, string name, IEnumerable<(int Epoch, double Value)> points, bool notify = true)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        foreach (var (epoch, value) in points)
        {
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO metrics (trial_id, attempt, name, step, epoch, value, at) VALUES (@t, 1, @n, @s, @e, @v, now())", conn, tx);
            cmd.Parameters.AddWithValue("t", trialId);
            cmd.Parameters.AddWithValue("n", name);
            cmd.Parameters.AddWithValue("s", (long)epoch * 100);
            cmd.Parameters.AddWithValue("e", epoch);
            cmd.Parameters.AddWithValue("v", value);
            await cmd.ExecuteNonQueryAsync();
        }
        if (notify)
        {
            await using var n = new NpgsqlCommand("SELECT pg_notify('dggrn_metrics', @p)", conn, tx);
            n.Parameters.AddWithValue("p", trialId.ToString());
            await n.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }
}
