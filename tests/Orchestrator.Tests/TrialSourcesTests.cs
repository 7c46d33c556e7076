using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Contracts.Trials;
using Dggrn.Tests.Common;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Where a reused trial's data lives (<see cref="TrialSources"/>), against a real PostgreSQL.</summary>
public sealed class TrialSourcesTests : IAsyncLifetime
{
    PostgresDatabase? _db;

    LabDbContext NewDb()
    {
        var b = new DbContextOptionsBuilder<LabDbContext>();
        LabDbContext.Configure(b, _db!.ConnectionString);
        return new LabDbContext(b.Options);
    }

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync("sources");
        await using var db = NewDb();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        if (_db is not null) await _db.DisposeAsync();
    }

    static TrialEntity Trial(Guid experiment, string key, Guid? reusedFrom = null) => new()
    {
        Id = Guid.NewGuid(), ExperimentId = experiment, Key = key, Identity = "same", Method = "dggrn", Dataset = "IXI", ConfigJson = "{}",
        State = TrialState.Succeeded, ReusedFromTrialId = reusedFrom, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task Reused_trials_resolve_to_the_original_through_chains_and_the_rest_to_themselves()
    {
        var started = DateTimeOffset.UtcNow.AddHours(-2);
        var first = new ExperimentEntity { Id = Guid.NewGuid(), Name = "first", CreatedAt = started };
        var second = new ExperimentEntity { Id = Guid.NewGuid(), Name = "second", CreatedAt = started };
        var original = Trial(first.Id, "a");
        (original.Epoch, original.Step, original.BestPsnr, original.ResultJson, original.Parameters, original.Seconds) = (3, 120, 31.5, """{"method":"dggrn"}""", 12345, 42.5);
        (original.StartedAt, original.FinishedAt, original.EnvironmentJson) = (started, started.AddMinutes(1), """{"host":"h"}""");
        var reused = Trial(second.Id, "a", original.Id);
        var again = Trial(second.Id, "b", reused.Id);   // a chain the orchestrator does not make, resolved all the same
        var own = Trial(second.Id, "c");
        var loopA = Trial(second.Id, "d");
        var loopB = Trial(second.Id, "e", loopA.Id);
        loopA.ReusedFromTrialId = loopB.Id;             // a cycle must end, not hang
        await using (var db = NewDb())
        {
            db.Experiments.AddRange(first, second);
            db.Trials.AddRange(original, reused, again, own, loopA, loopB);
            await db.SaveChangesAsync();
        }

        await using var read = NewDb();
        var unknown = Guid.NewGuid();
        var sources = await TrialSources.ResolveAsync(read, [original.Id, reused.Id, again.Id, own.Id, unknown, loopA.Id]);
        Assert.Equal(original.Id, sources[reused.Id]);
        Assert.Equal(original.Id, sources[again.Id]);
        Assert.Equal(original.Id, sources[original.Id]);
        Assert.Equal(own.Id, sources[own.Id]);
        Assert.Equal(unknown, sources[unknown]);
        Assert.NotEqual(loopA.Id, sources[loopA.Id]);
        Assert.Equal(new[] { original.Id, reused.Id, again.Id }.Order(), sources.ViewsOf(original.Id).Order());
        Assert.True(sources.AnyReused);
        Assert.Null(sources.OriginalOf(original.Id));
        Assert.Null(sources.OriginalOf(own.Id));
        Assert.Equal("first", sources.OriginalOf(again.Id)!.Experiment!.Name);
        Assert.Equal(original.Id, await TrialSources.SourceOfAsync(read, reused.Id));

        // The view shows the original's results and timings (as stored); identity and state stay the reused trial's own.
        var stored = await read.Trials.AsNoTracking().SingleAsync(t => t.Id == original.Id);
        var shown = sources.WithOriginalData(await read.Trials.AsNoTracking().SingleAsync(t => t.Id == reused.Id));
        Assert.Equal((3, 120L, 31.5, 12345L, 42.5), (shown.Epoch, shown.Step, shown.BestPsnr!.Value, shown.Parameters!.Value, shown.Seconds!.Value));
        Assert.Equal((stored.StartedAt, stored.FinishedAt), (shown.StartedAt, shown.FinishedAt));
        Assert.NotNull(shown.StartedAt);
        Assert.Equal(stored.ResultJson, shown.ResultJson);
        Assert.Equal(stored.EnvironmentJson, shown.EnvironmentJson);
        Assert.Equal((reused.Id, second.Id, (Guid?)original.Id), (shown.Id, shown.ExperimentId, shown.ReusedFromTrialId));
        // Nothing is written back: the stored reused row keeps no copy of the timings.
        await using var check = NewDb();
        Assert.Null((await check.Trials.AsNoTracking().SingleAsync(t => t.Id == reused.Id)).StartedAt);
    }
}
