using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Orchestrator.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Hosting;

/// <summary>Applies EF migrations and ensures the bootstrap admin token, before the silo and HTTP server start.</summary>
/// <remarks>Registered ahead of Orleans: hosted services start in order, and ADO.NET clustering needs its tables.</remarks>
public sealed class DatabaseInitializer(IDbContextFactory<LabDbContext> db, IOptions<OrchestratorOptions> options, ILogger<DatabaseInitializer> log)
    : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        // Two silos starting together may race to migrate; an advisory lock makes the second wait and find nothing to do.
        await ctx.Database.OpenConnectionAsync(ct);
        await ctx.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(4242001)", ct);
        try
        {
            await ctx.Database.MigrateAsync(ct);
        }
        finally
        {
            await ctx.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(4242001)", ct);
        }
        if (options.Value.BootstrapAdminToken is { Length: > 0 } secret)
        {
            var hash = TokenSecrets.Hash(secret);
            if (!await ctx.ApiTokens.AnyAsync(t => t.TokenHash == hash, ct))
            {
                ctx.ApiTokens.Add(new ApiTokenEntity
                {
                    Id = Guid.NewGuid(), Name = "bootstrap-admin", Role = Roles.Admin, TokenHash = hash, CreatedAt = DateTimeOffset.UtcNow,
                });
                try { await ctx.SaveChangesAsync(ct); }
                catch (DbUpdateException) { /* another silo inserted it first */ }
                log.LogInformation("Bootstrap admin token ensured");
            }
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
