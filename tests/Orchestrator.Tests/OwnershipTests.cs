using System.Net;
using System.Net.Http.Json;
using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Tests;

/// <summary>
/// Who may do what: admins everything; submitters read all experiments but change only their own (403 naming the owner);
/// viewers only read; worker tokens act only for their own workers; only admins manage tokens.
/// Each rule is shown by a request that must be refused and one that must succeed.
/// </summary>
public sealed class OwnershipTests(SecurityServerFixture f) : IClassFixture<SecurityServerFixture>
{
    static string Unique(string who) => who + "-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task A_submitter_cannot_control_another_users_experiment_or_its_trials()
    {
        var alice = Unique("alice");
        using var a = await f.ClientAsync("submitter", alice);
        using var b = await f.ClientAsync("submitter", Unique("bob"));
        var (exp, trials) = await SecurityServerFixture.SubmitAsync(a);

        // Bob sees it (the group shares results)...
        var seen = await TestSpecs.DetailAsync(b, exp);
        Assert.Equal(alice, seen.Owner);
        // ...but may not change it: every control answers 403 naming the owner, and nothing changes.
        foreach (var action in new[] { "cancel", "pause", "resume" })
        {
            var r = await b.PostAsync($"/api/experiments/{exp}/{action}", null);
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
            Assert.Contains(alice, await SecurityServerFixture.DetailAsync(r));
            var t = await b.PostAsync($"/api/trials/{trials[0]}/{action}", null);
            Assert.Equal(HttpStatusCode.Forbidden, t.StatusCode);
            Assert.Contains($"experiment {exp}", await SecurityServerFixture.DetailAsync(t));
        }
        var after = await TestSpecs.DetailAsync(a, exp);
        Assert.Equal(seen.State, after.State);
        Assert.All(after.Trials, t => Assert.Equal("Pending", t.State));

        // The owner may.
        (await a.PostAsync($"/api/trials/{trials[0]}/pause", null)).EnsureSuccessStatusCode();
        (await a.PostAsync($"/api/trials/{trials[0]}/resume", null)).EnsureSuccessStatusCode();
        (await a.PostAsync($"/api/experiments/{exp}/pause", null)).EnsureSuccessStatusCode();
        (await a.PostAsync($"/api/experiments/{exp}/resume", null)).EnsureSuccessStatusCode();
        (await a.PostAsync($"/api/trials/{trials[1]}/cancel", null)).EnsureSuccessStatusCode();
        Assert.Equal("Cancelled", (await TestSpecs.DetailAsync(b, exp)).Trials.Single(t => t.Id == trials[1]).State);
        (await a.PostAsync($"/api/experiments/{exp}/cancel", null)).EnsureSuccessStatusCode();
        Assert.Equal("Cancelled", (await TestSpecs.DetailAsync(b, exp)).State);
    }

    [Fact]
    public async Task The_same_user_with_a_second_token_and_an_admin_may_control()
    {
        var carol = Unique("carol");
        using var laptop = await f.ClientAsync("submitter", carol);
        using var ci = await f.ClientAsync("submitter", carol);
        var (exp, trials) = await SecurityServerFixture.SubmitAsync(laptop);
        (await ci.PostAsync($"/api/experiments/{exp}/pause", null)).EnsureSuccessStatusCode();
        (await f.Server.Admin.PostAsync($"/api/experiments/{exp}/resume", null)).EnsureSuccessStatusCode();
        (await f.Server.Admin.PostAsync($"/api/trials/{trials[0]}/cancel", null)).EnsureSuccessStatusCode();
        Assert.Equal("Cancelled", (await TestSpecs.DetailAsync(laptop, exp)).Trials.Single(t => t.Id == trials[0]).State);
    }

    [Fact]
    public async Task Viewers_and_workers_only_read_what_their_role_allows()
    {
        using var viewer = await f.ClientAsync("viewer");
        using var worker = await f.ClientAsync("worker");
        var (exp, trials) = await SecurityServerFixture.SubmitAsync(f.Server.Admin);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/experiments/{exp}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/experiments/{exp}/report?table=1&format=md")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/workers")).StatusCode);
        foreach (var c in new[] { viewer, worker })
        {
            var refused = new[]
            {
                await c.PostAsync($"/api/experiments/{exp}/cancel", null),
                await c.PostAsync($"/api/experiments/{exp}/pause", null),
                await c.PostAsync($"/api/trials/{trials[0]}/cancel", null),
                await c.PostAsJsonAsync("/api/experiments", new SubmitRequest(TestSpecs.Noop(1), null)),
                await c.PostAsJsonAsync("/api/tokens", new CreateTokenRequest("sneaky", "admin")),
            };
            Assert.All(refused, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
            Assert.Contains("is not allowed for a", await SecurityServerFixture.DetailAsync(refused[0]));
        }
        // Workers do not read the lab's experiments.
        Assert.Equal(HttpStatusCode.Forbidden, (await worker.GetAsync($"/api/experiments/{exp}")).StatusCode);
        // A viewer may not register a worker (and so may not lease trials).
        var asWorker = await viewer.PostAsJsonAsync("/api/workers/register",
            new RegisterWorkerRequest("h", 1, [new DeviceInfo("cpu", "cpu", 1 << 30, 1)], "test", null));
        Assert.Equal(HttpStatusCode.Forbidden, asWorker.StatusCode);
        Assert.All((await TestSpecs.DetailAsync(viewer, exp)).Trials, t => Assert.Equal("Pending", t.State));
    }

    static HttpClient ActingFor(HttpClient c, string user, string role)
    {
        c.DefaultRequestHeaders.Add(OnBehalfOf.UserHeader, Uri.EscapeDataString(user));
        c.DefaultRequestHeaders.Add(OnBehalfOf.RoleHeader, role);
        return c;
    }

    [Fact]
    public async Task A_service_token_acting_for_a_user_has_exactly_that_users_rights()
    {
        var alice = Unique("alice");
        using var a = await f.ClientAsync("submitter", alice);
        var (exp, _) = await SecurityServerFixture.SubmitAsync(a);
        var service = await f.Server.TokenAsync("admin", "dashboard-service");

        // The dashboard signed in as another submitter: held to that submitter's rights.
        using var asBob = ActingFor(f.Server.Client(service), Unique("bøb"), "submitter");
        var refused = await asBob.PostAsync($"/api/experiments/{exp}/cancel", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains(alice, await SecurityServerFixture.DetailAsync(refused));
        // As the owner: allowed. As a viewer: no control, no submit.
        using var asAlice = ActingFor(f.Server.Client(service), alice, "submitter");
        (await asAlice.PostAsync($"/api/experiments/{exp}/pause", null)).EnsureSuccessStatusCode();
        using var asViewer = ActingFor(f.Server.Client(service), alice, "viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PostAsync($"/api/experiments/{exp}/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PostAsJsonAsync("/api/experiments", new SubmitRequest(TestSpecs.Noop(1), null))).StatusCode);

        // What it submits is owned by the user, not by the service.
        var dave = Unique("dåve");
        using var asDave = ActingFor(f.Server.Client(service), dave, "submitter");
        var (mine, _) = await SecurityServerFixture.SubmitAsync(asDave, trials: 1);
        Assert.Equal(dave, (await TestSpecs.DetailAsync(a, mine)).Owner);
    }

    [Theory]
    [InlineData("submitter", "alice", "submitter", "only an admin token")]
    [InlineData("worker", "alice", "admin", "only an admin token")]
    [InlineData("admin", "alice", "worker", "is not admin, submitter or viewer")]
    [InlineData("admin", "", "viewer", "expected a user name")]
    public async Task Acting_for_someone_else_is_refused_unless_an_admin_names_a_user_and_a_role(string tokenRole, string user, string role, string reason)
    {
        using var c = ActingFor(await f.ClientAsync(tokenRole), user, role);
        var r = await c.GetAsync("/api/experiments");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains(reason, await SecurityServerFixture.DetailAsync(r));
    }

    [Fact]
    public async Task Only_admins_create_list_and_revoke_tokens()
    {
        using var submitter = await f.ClientAsync("submitter");
        var refused = await submitter.PostAsJsonAsync("/api/tokens", new CreateTokenRequest("mine", "submitter"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await submitter.GetAsync("/api/tokens")).StatusCode);
        var made = await f.Server.Admin.PostAsJsonAsync("/api/tokens", new CreateTokenRequest("theirs", "viewer"));
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        var created = (await made.Content.ReadFromJsonAsync<CreateTokenResponse>(OrchestratorServer.Json))!;
        Assert.Equal(HttpStatusCode.Forbidden, (await submitter.PostAsync($"/api/tokens/{created.Id}/revoke", null)).StatusCode);

        // The listing names tokens but never carries a secret or a hash.
        var listing = await f.Server.Admin.GetStringAsync("/api/tokens");
        Assert.Contains(created.Id.ToString(), listing);
        Assert.DoesNotContain(created.Token, listing);
        Assert.DoesNotContain("hash", listing, StringComparison.OrdinalIgnoreCase);

        // Revocation takes effect at once, even though the token was just used (and so cached).
        using var viewer = f.Server.Client(created.Token);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/experiments")).StatusCode);
        (await f.Server.Admin.PostAsync($"/api/tokens/{created.Id}/revoke", null)).EnsureSuccessStatusCode();
        var after = await viewer.GetAsync("/api/experiments");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("revoked", await SecurityServerFixture.DetailAsync(after));
        var info = (await f.Server.Admin.GetFromJsonAsync<TokenInfo[]>("/api/tokens", OrchestratorServer.Json))!.Single(t => t.Id == created.Id);
        Assert.NotNull(info.RevokedAt);

        var unknown = Guid.NewGuid();
        var missing = await f.Server.Admin.PostAsync($"/api/tokens/{unknown}/revoke", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains(unknown.ToString(), await SecurityServerFixture.DetailAsync(missing));
    }

    [Fact]
    public async Task A_worker_token_acts_only_for_its_own_worker_and_trials()
    {
        var (exp, _) = await SecurityServerFixture.SubmitAsync(f.Server.Admin, trials: 2);
        // Enough slots to lease every pending trial of this class's server, so one of this experiment's is among them.
        var mine = await WorkerClient.RegisterAsync(f.Server, await f.Server.TokenAsync("worker"), Unique("w-mine"), slots: 64);
        var other = await WorkerClient.RegisterAsync(f.Server, await f.Server.TokenAsync("worker"), Unique("w-other"));
        var grant = (await mine.LeaseAsync(64)).First(g => g.ExperimentId == exp);

        // The other worker's token may not heartbeat, lease or re-register as this worker...
        Assert.Equal(HttpStatusCode.Forbidden, (await other.Http.PostAsJsonAsync($"/api/workers/{mine.Id}/heartbeat", new HeartbeatRequest([], 0))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.Http.PostAsJsonAsync($"/api/workers/{mine.Id}/lease", new LeaseRequest(1, "cpu", 0))).StatusCode);
        var steal = await other.Http.PostAsJsonAsync("/api/workers/register",
            new RegisterWorkerRequest("h", 1, [new DeviceInfo("cpu", "cpu", 1 << 30, 1)], "test", mine.Id));
        Assert.Equal(HttpStatusCode.Forbidden, steal.StatusCode);
        // ...nor report for its trial, even with the right lease id.
        foreach (var (what, body) in new (string, object)[]
        {
            ("started", new TrialStartedRequest(grant.LeaseId, null)),
            ("metrics", new MetricBatch(grant.LeaseId, grant.Attempt, 1, [new MetricPoint("train/loss", 1, 1, 0.5, DateTimeOffset.UtcNow)])),
            ("failed", new TrialFailedRequest(grant.LeaseId, "forged", false)),
        })
        {
            var r = await other.PostAsync(grant.TrialId, what, body);
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
            Assert.Contains(mine.Id, await SecurityServerFixture.DetailAsync(r));
        }
        var trial = (await TestSpecs.DetailAsync(f.Server.Admin, exp)).Trials.Single(t => t.Id == grant.TrialId);
        Assert.Equal("Leased", trial.State);

        // Its own token may.
        (await mine.PostAsync(grant.TrialId, "started", new TrialStartedRequest(grant.LeaseId, null))).EnsureSuccessStatusCode();
        await mine.HeartbeatAsync(new TrialProgress(grant.TrialId, grant.LeaseId, 0, 0));
        Assert.Equal("Running", (await TestSpecs.DetailAsync(f.Server.Admin, exp)).Trials.Single(t => t.Id == grant.TrialId).State);
    }
}
