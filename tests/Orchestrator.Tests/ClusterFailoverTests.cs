using System.Net.Http.Json;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Apis;
using Dggrn.Tests.Common;
using Npgsql;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Two `dggrn silo` processes form one cluster through PostgreSQL (the project's own ADO.NET clustering
/// schema); the one holding the scheduler grain is killed with SIGKILL and the other carries on.</summary>
public sealed class ClusterFailoverTests
{
    const string Admin = "cluster-admin-secret";

    [Dggrn.Tests.Common.Fault("SIGKILL one of two silo processes (the scheduler's)",
        "the survivor re-activates the scheduler and leasing goes on")]
    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Two_silo_processes_cluster_through_postgres_and_survive_a_sigkill()
    {
        await using var db = await PostgresDatabase.CreateAsync("cluster");
        using var a = SiloProcess.Start(db.ConnectionString, Admin);
        await WaitHealthyAsync(a);   // the first silo migrates the schema; the second then joins
        using var b = SiloProcess.Start(db.ConnectionString, Admin);
        await WaitHealthyAsync(b);
        await Polling.UntilAsync(() => ActiveSilosAsync(db.ConnectionString), n => n == 2, TimeSpan.FromSeconds(30), "two active members in orleans_membership");

        using var ca = Client(a);
        using var cb = Client(b);
        var exp = await TestSpecs.SubmitAsync(ca, TestSpecs.Noop(6, "failover"));
        var view = (await cb.GetFromJsonAsync<ClusterApi.ClusterView>("/api/cluster", OrchestratorServer.Json))!;
        Assert.Equal(2, view.Members.Count(m => m.Status == "Active"));
        var (victim, survivor, survivorClient) = view.Scheduler.Contains($":{a.SiloPort}:") ? (a, b, cb) : (b, a, ca);
        Assert.Contains($":{victim.SiloPort}:", view.Scheduler);

        var token = await TokenAsync(survivorClient);
        var worker = await RegisterAsync(survivor, token);
        Assert.Equal(2, (await LeaseAsync(survivor, token, worker, 2)).Length);

        victim.KillHard();
        // The survivor re-activates the scheduler once the victim is declared dead, and leasing goes on.
        var grants = await Polling.UntilAsync(async () =>
        {
            try { return await LeaseAsync(survivor, token, worker, 4); }
            catch (HttpRequestException) { return []; }
            catch (TaskCanceledException) { return []; }
        }, g => g.Length > 0, TimeSpan.FromSeconds(30), "leasing on the survivor after the kill");
        Assert.Equal(4, grants.Length);
        var after = (await survivorClient.GetFromJsonAsync<ClusterApi.ClusterView>("/api/cluster", OrchestratorServer.Json))!;
        Assert.Contains($":{survivor.SiloPort}:", after.Scheduler);
        await Polling.UntilAsync(() => DeadSilosAsync(db.ConnectionString), n => n == 1, TimeSpan.FromSeconds(30), "the victim marked Dead in orleans_membership");
        Assert.Equal(6, (await TestSpecs.DetailAsync(survivorClient, exp.Id)).Trials.Count(t => t.State == "Leased"));
        Assert.False(survivor.HasExited, survivor.Tail());
    }

    static HttpClient Client(SiloProcess s) => new() { BaseAddress = s.Url, Timeout = TimeSpan.FromSeconds(20), DefaultRequestHeaders = { { "Authorization", $"Bearer {Admin}" } } };

    static async Task WaitHealthyAsync(SiloProcess s)
    {
        using var http = new HttpClient { BaseAddress = s.Url, Timeout = TimeSpan.FromSeconds(2) };
        await Polling.UntilAsync(async () =>
        {
            if (s.HasExited) throw new InvalidOperationException("silo exited:\n" + s.Tail());
            try { return (await http.GetAsync("/health")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, ok => ok, TimeSpan.FromSeconds(60), $"silo at {s.Url} healthy");
    }

    static async Task<string> TokenAsync(HttpClient admin)
    {
        var r = await admin.PostAsJsonAsync("/api/tokens", new CreateTokenRequest("w", "worker"));
        return (await r.Content.ReadFromJsonAsync<CreateTokenResponse>(OrchestratorServer.Json))!.Token;
    }

    static async Task<string> RegisterAsync(SiloProcess s, string token)
    {
        using var http = new HttpClient { BaseAddress = s.Url, DefaultRequestHeaders = { { "Authorization", $"Bearer {token}" } } };
        var r = await http.PostAsJsonAsync("/api/workers/register", new RegisterWorkerRequest("h", 1, [new DeviceInfo("cpu", "cpu", 1L << 32, 8)], "t"));
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<RegisterWorkerResponse>(OrchestratorServer.Json))!.WorkerId;
    }

    static async Task<LeaseGrant[]> LeaseAsync(SiloProcess s, string token, string worker, int n)
    {
        using var http = new HttpClient { BaseAddress = s.Url, Timeout = TimeSpan.FromSeconds(5), DefaultRequestHeaders = { { "Authorization", $"Bearer {token}" } } };
        var r = await http.PostAsJsonAsync($"/api/workers/{worker}/lease", new LeaseRequest(n, "cpu", 0));
        if (!r.IsSuccessStatusCode) return [];
        return (await r.Content.ReadFromJsonAsync<LeaseGrant[]>(OrchestratorServer.Json))!;
    }

    static Task<long> ActiveSilosAsync(string cs) => CountAsync(cs, "SELECT count(*) FROM orleans_membership WHERE status = 3");
    static Task<long> DeadSilosAsync(string cs) => CountAsync(cs, "SELECT count(*) FROM orleans_membership WHERE status = 6");

    static async Task<long> CountAsync(string cs, string sql)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        try
        {
            await using var cmd = new NpgsqlCommand(sql, c);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        catch (PostgresException) { return -1; } // table not created yet
    }
}
