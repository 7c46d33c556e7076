using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Specs;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Contracts.Trials;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>Creates an experiment and its trials, linking trials that already succeeded elsewhere.</summary>
public sealed class ExperimentStore(IDbContextFactory<LabDbContext> db)
{
    static readonly JsonSerializerOptions Json = WireJson.Options;

    /// <summary>Stores <paramref name="grid"/> as experiment <paramref name="id"/> (idempotent: an existing id is returned as is).</summary>
    /// <remarks>Unless <paramref name="rerun"/>, a trial whose identity already succeeded (in any experiment) is created
    /// Succeeded, linked through ReusedFromTrialId, with the earlier result copied, and never leased.</remarks>
    public async Task<SubmitResponse> CreateAsync(Guid id, ExpandedGrid grid, string owner, bool rerun, int maxAttempts, CancellationToken ct = default)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        if (await ctx.Experiments.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct) is { } existing)
            return new SubmitResponse(id, existing.Name, await ctx.Trials.CountAsync(t => t.ExperimentId == id, ct),
                await ctx.Trials.CountAsync(t => t.ExperimentId == id && t.ReusedFromTrialId != null, ct));

        var identities = grid.Trials.Select(t => t.Identity).ToArray();
        var previous = rerun ? [] : await ctx.Trials.AsNoTracking()
            .Where(t => identities.Contains(t.Identity) && t.State == TrialState.Succeeded && t.ReusedFromTrialId == null)
            .OrderByDescending(t => t.FinishedAt)
            .ToListAsync(ct);
        var done = previous.GroupBy(t => t.Identity).ToDictionary(g => g.Key, g => g.First());

        var now = DateTimeOffset.UtcNow;
        var experiment = new ExperimentEntity
        {
            Id = id, Name = grid.Name, Owner = owner, SpecText = grid.SpecText, Protocol = grid.Protocol, Priority = grid.Priority,
            State = ExperimentState.Pending, CreatedAt = now,
        };
        ctx.Experiments.Add(experiment);
        foreach (var p in grid.Trials)
        {
            var trial = new TrialEntity
            {
                Id = Guid.CreateVersion7(), ExperimentId = id, Key = p.Key, Identity = p.Identity, Method = p.Config.Method,
                Dataset = p.Config.Dataset.Name, Blocks = p.Config.Blocks, Filters = p.Config.Filters, Scale = p.Config.Scale,
                Seed = p.Config.Seed, Tables = p.Tables, ConfigJson = JsonSerializer.Serialize(p.Config, Json),
                State = TrialState.Pending, MaxAttempts = maxAttempts, Device = p.Device, MemoryEstimateBytes = p.MemoryEstimateBytes,
                CreatedAt = now, UpdatedAt = now,
            };
            if (done.TryGetValue(p.Identity, out var earlier))
            {
                trial.State = TrialState.Succeeded;
                trial.ReusedFromTrialId = earlier.Id;
                trial.ResultJson = earlier.ResultJson;
                trial.BestPsnr = earlier.BestPsnr;
                trial.Epoch = earlier.Epoch;
                trial.Parameters = earlier.Parameters;
                trial.Seconds = earlier.Seconds;
                trial.FinishedAt = now;
                ctx.TrialTransitions.Add(new TrialTransitionEntity
                {
                    TrialId = trial.Id, FromState = null, ToState = TrialState.Succeeded, Reason = $"reused result of trial {earlier.Id}", At = now,
                });
            }
            else ctx.TrialTransitions.Add(new TrialTransitionEntity { TrialId = trial.Id, ToState = TrialState.Pending, Reason = "submitted", At = now });
            ctx.Trials.Add(trial);
        }
        if (done.Count > 0 && grid.Trials.All(t => done.ContainsKey(t.Identity)))
        {
            experiment.State = ExperimentState.Succeeded;
            experiment.FinishedAt = now;
        }
        await ctx.SaveChangesAsync(ct);
        return new SubmitResponse(id, grid.Name, grid.Trials.Length, grid.Trials.Count(t => done.ContainsKey(t.Identity)));
    }

    /// <summary>The experiment's state; null when it does not exist.</summary>
    public async Task<ExperimentState?> StateAsync(Guid id, CancellationToken ct = default)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        return await ctx.Experiments.AsNoTracking().Where(e => e.Id == id).Select(e => (ExperimentState?)e.State).FirstOrDefaultAsync(ct);
    }
}
