using System.Security.Cryptography;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Dashboard.Auth;
using Dggrn.Dashboard.Hosting;
using Dggrn.Tests.Common;
using Microsoft.EntityFrameworkCore;

namespace Dggrn.Dashboard.Tests;

/// <summary>
/// A fresh migrated database plus the real dashboard on a real Kestrel port (127.0.0.1:0). Tests write rows
/// with the EF entities the way the orchestrator and workers do.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    PostgresDatabase? _db;
    WebApplication? _app;

    /// <summary>http://127.0.0.1:PORT of the running dashboard.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Connection string of the test database.</summary>
    public string ConnectionString => _db!.ConnectionString;

    /// <summary>Extra settings for the dashboard (e.g. the orchestrator URL); set before InitializeAsync.</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>Folder of the local checkpoint store the dashboard reads (the worker would write it).</summary>
    public string StorePath { get; } = Directory.CreateTempSubdirectory("dggrn-dash-store").FullName;

    /// <summary>The dashboard's checkpoint store (tests put images and checkpoints through it, as a worker would).</summary>
    public ICheckpointStore Store => _app!.Services.GetRequiredService<ICheckpointStore>();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync("dash");
        await using (var db = NewDb()) await db.Database.MigrateAsync();
        var settings = new Dictionary<string, string?>(Settings)
        {
            ["ConnectionStrings:Lab"] = _db.ConnectionString,
            ["Urls"] = "http://127.0.0.1:0",
            ["Dashboard:PollSeconds"] = "1",
            ["CheckpointStore:Kind"] = "Local",
            ["CheckpointStore:LocalPath"] = StorePath,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _app = DashboardHost.Create([], settings);
        await _app.StartAsync();
        BaseUrl = _app.Urls.First();
    }

    /// <summary>A context on the test database.</summary>
    public LabDbContext NewDb()
    {
        var b = new DbContextOptionsBuilder<LabDbContext>();
        LabDbContext.Configure(b, _db!.ConnectionString);
        return new LabDbContext(b.Options);
    }

    /// <summary>Stores a token as the orchestrator would (hash only) and returns its secret text.</summary>
    public async Task<string> CreateTokenAsync(string role, bool singleUse = false, DateTimeOffset? expiresAt = null, bool revoked = false)
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await using var db = NewDb();
        db.ApiTokens.Add(new ApiTokenEntity
        {
            Id = Guid.NewGuid(), Name = $"{role}-user", Role = role, TokenHash = TokenSignIn.Hash(secret), SingleUse = singleUse,
            CreatedAt = DateTimeOffset.UtcNow, ExpiresAt = expiresAt, RevokedAt = revoked ? DateTimeOffset.UtcNow : null,
        });
        await db.SaveChangesAsync();
        return secret;
    }

    /// <summary>An HTTP client that does not follow redirects and keeps cookies.</summary>
    public HttpClient NewClient() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(BaseUrl) };

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_db is not null) await _db.DisposeAsync();
        Directory.Delete(StorePath, recursive: true);
    }
}
