using System.Net;
using System.Text.Json;
using Dggrn.Tests.Common;
using Npgsql;

namespace Dggrn.Orchestrator.Tests;

/// <summary>PostgreSQL going away under a running orchestrator: the API says so with a 503 (not a 500) and recovers by itself.</summary>
public sealed class DatabaseUnavailableTests : IAsyncLifetime
{
    OrchestratorServer _s = null!;

    public async Task InitializeAsync() => _s = await OrchestratorServer.StartAsync();
    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task Connections_killed_by_the_server_give_a_503_with_the_reason_then_the_api_recovers()
    {
        Assert.Equal(HttpStatusCode.OK, (await _s.Admin.GetAsync("/api/experiments")).StatusCode);

        // What a PostgreSQL restart does to a client: every connection of this database is terminated by the server.
        await using (var c = new NpgsqlConnection(TestEnvironment.PostgresAdmin))
        {
            await c.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @d AND pid <> pg_backend_pid()", c);
            kill.Parameters.AddWithValue("d", _s.Database.Name);
            Assert.True((long)(await kill.ExecuteScalarAsync())! > 0, "the orchestrator held no pooled connection to terminate");
        }

        var statuses = new List<HttpStatusCode>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpResponseMessage r;
        do
        {
            r = await _s.Admin.GetAsync("/api/experiments");
            statuses.Add(r.StatusCode);
            if (r.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                var problem = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
                Assert.StartsWith("the lab database (PostgreSQL) is unavailable, retry shortly: ", problem.GetProperty("detail").GetString());
                Assert.Equal("5", r.Headers.GetValues("Retry-After").Single());
            }
        } while (r.StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, statuses[^1]);
        // Broken pooled connections surface as 503 only, never as a 500 or another status.
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
    }
}
