using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Dashboard.Auth;
using Dggrn.Dashboard.Hosting;
using Dggrn.Tests.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Dggrn.Dashboard.Tests;

/// <summary>Every route of the dashboard, read from its endpoint table, needs sign-in unless it is on a short public list;
/// and the one-time sign-in link's token never reaches the logs, even at the most verbose level.</summary>
public sealed partial class AuthRoutesTests : IAsyncLifetime
{
    readonly ConcurrentQueue<string> _logs = new();
    readonly string _store = Directory.CreateTempSubdirectory("dggrn-dash-auth").FullName;
    PostgresDatabase _db = null!;
    WebApplication _app = null!;
    string _baseUrl = "";

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync("dashauth");
        await using (var db = NewDb()) await db.Database.MigrateAsync();
        _app = DashboardHost.Create([], new Dictionary<string, string?>
        {
            ["ConnectionStrings:Lab"] = _db.ConnectionString,
            ["Urls"] = "http://127.0.0.1:0",
            ["CheckpointStore:Kind"] = "Local",
            ["CheckpointStore:LocalPath"] = _store,
            // Everything the app would ever log, to the capture below; nothing to the console.
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:Console:LogLevel:Default"] = "None",
        });
        _app.Services.GetRequiredService<ILoggerFactory>().AddProvider(new CaptureProvider(_logs));
        await _app.StartAsync();
        _baseUrl = _app.Urls.First();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _db.DisposeAsync();
        Directory.Delete(_store, recursive: true);
    }

    LabDbContext NewDb()
    {
        var b = new DbContextOptionsBuilder<LabDbContext>();
        LabDbContext.Configure(b, _db.ConnectionString);
        return new LabDbContext(b.Options);
    }

    HttpClient NewClient() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(_baseUrl) };

    async Task<string> TokenAsync(string role, bool singleUse)
    {
        var secret = "dggrn_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        await using var db = NewDb();
        db.ApiTokens.Add(new ApiTokenEntity
        {
            Id = Guid.NewGuid(), Name = "auth-test-" + role, Role = role, TokenHash = TokenSignIn.Hash(secret), SingleUse = singleUse, CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        return secret;
    }

    [GeneratedRegex(@"\{(?<n>[^}:]+)(?<c>[^}]*)\}")]
    private static partial Regex Parameter();

    /// <summary>Routes anyone may reach: health, the sign-in pages, and static files that hold no data.</summary>
    static bool IsPublic(string pattern) =>
        pattern is "/health" or "/signin" or "/signout" or "/denied"
        || pattern.StartsWith("/_content/", StringComparison.Ordinal) || pattern.StartsWith("/_framework/", StringComparison.Ordinal)
        || Regex.IsMatch(pattern, @"\.(css|js|map|ico|png|svg|woff2?|gz|br|json)$");

    [Fact]
    public async Task Every_route_but_the_public_ones_requires_sign_in()
    {
        var endpoints = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var patterns = endpoints.Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')).ToHashSet();
        // Guards against a vacuous pass: every page and the file downloads are in the table that was enumerated.
        foreach (var page in new[] { "/", "/experiments", "/experiments/{Id:guid}", "/trials/{Id:guid}", "/workers", "/compare", "/admin", "/files/artifacts/{id:long}", "/files/checkpoints/{id:long}" })
            Assert.Contains(page, patterns);

        var wrong = new List<string>();
        foreach (var e in endpoints)
        {
            var pattern = "/" + e.RoutePattern.RawText!.TrimStart('/');
            var anonymous = e.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            if (anonymous)
            {
                if (!IsPublic(pattern)) wrong.Add($"{pattern} allows anonymous access");
                continue;
            }
            if (IsPublic(pattern) && pattern != "/") continue;
            var path = Parameter().Replace(pattern, m => m.Groups["c"].Value.Contains("guid") ? Guid.NewGuid().ToString()
                : m.Groups["c"].Value.Contains("long") || m.Groups["c"].Value.Contains("int") ? "1" : "probe");
            foreach (var method in e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            foreach (var cookie in new string?[] { null, "dggrn.dashboard=forged-" + Guid.NewGuid().ToString("N") })
            {
                using var http = NewClient();
                var req = new HttpRequestMessage(new HttpMethod(method), path);
                if (cookie is not null) req.Headers.Add("Cookie", cookie);
                if (method != "GET") req.Content = new StringContent("");
                using var r = await http.SendAsync(req);
                var toSignIn = r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location?.OriginalString.StartsWith("/signin", StringComparison.Ordinal) == true
                               || r.Headers.Location?.AbsolutePath == "/signin";
                if (!toSignIn && r.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest))
                    wrong.Add($"{method} {path} ({(cookie is null ? "no cookie" : "forged cookie")}) -> {(int)r.StatusCode} {r.Headers.Location}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task A_viewer_is_refused_the_admin_page()
    {
        using var http = NewClient();
        var signin = await http.GetAsync($"/signin?token={await TokenAsync("viewer", singleUse: false)}");
        Assert.Equal(HttpStatusCode.Redirect, signin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/workers")).StatusCode);
        var admin = await http.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.StartsWith("/denied", admin.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task The_sign_in_links_token_is_never_logged()
    {
        var link = await TokenAsync("admin", singleUse: true);
        var pasted = await TokenAsync("viewer", singleUse: false);
        using (var http = NewClient())
        {
            Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync($"/signin?token={link}&returnUrl=/workers")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/workers")).StatusCode);
            // Used again: refused, and the refusal is logged without the token either.
            using var again = NewClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync($"/signin?token={link}")).StatusCode);
        }
        using (var http = NewClient())
        {
            var r = await http.PostAsync("/signin", new FormUrlEncodedContent([new("token", pasted)]));
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        }
        // The capture saw the requests (so an empty log cannot pass), but no token.
        Assert.Contains(_logs, l => l.Contains("/signin", StringComparison.Ordinal));
        foreach (var (name, secret) in new[] { ("sign-in link token", link), ("pasted token", pasted) })
        {
            var hits = _logs.Where(l => l.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.True(hits.Count == 0, $"the {name} appeared in {hits.Count} log line(s), e.g.: {hits.FirstOrDefault()}");
        }
    }

    /// <summary>Keeps every formatted log line (with its exception) in memory.</summary>
    sealed class CaptureProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capture(categoryName, lines);
        public void Dispose() { }

        sealed class Capture(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var structured = state is IEnumerable<KeyValuePair<string, object?>> kv ? string.Join(" ", kv.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {structured} {exception}");
            }
        }
    }
}
