using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Every mapped endpoint but GET /health refuses requests without a valid token; tokens are stored only as hashes.</summary>
public sealed partial class SecurityEndpointTests(SecurityServerFixture f) : IClassFixture<SecurityServerFixture>
{
    /// <summary>Every (method, path) the running host maps, with route parameters filled in (a fresh guid for guid ids).</summary>
    /// <remarks>Read from the host's own endpoint table, so an endpoint added later is covered without touching this test.</remarks>
    static List<(string Method, string Path)> MappedEndpoints(OrchestratorServer s)
    {
        var source = s.App.Services.GetRequiredService<EndpointDataSource>();
        var list = new List<(string, string)>();
        foreach (var e in source.Endpoints.OfType<RouteEndpoint>())
        {
            // A group's "" route keeps the group's trailing slash; requests use the path without it.
            var path = "/" + Parameter().Replace(e.RoutePattern.RawText!.TrimStart('/'),
                m => m.Groups["c"].Value.Contains("guid") ? Guid.NewGuid().ToString() : "probe-" + m.Groups["n"].Value).TrimEnd('/');
            var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            list.AddRange(methods.Select(m => (m, path)));
        }
        return list;
    }

    [GeneratedRegex(@"\{\*?(?<n>[^}:=?]+)(?<c>[^}]*)\}")]
    private static partial Regex Parameter();

    static HttpRequestMessage Request(string method, string path, string? authorization)
    {
        var r = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH") r.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        if (authorization is not null) r.Headers.TryAddWithoutValidation("Authorization", authorization);
        return r;
    }

    [Fact]
    public async Task Every_endpoint_except_health_refuses_a_missing_wrong_or_hashed_token()
    {
        var s = f.Server;
        var endpoints = MappedEndpoints(s);
        // Guards against a vacuous pass: the known API must be in the table that was enumerated.
        foreach (var known in new[] { "/api/tokens", "/api/experiments", "/api/workers/register", "/health" })
            Assert.Contains(endpoints, e => e.Path == known);
        Assert.True(endpoints.Count >= 25, $"only {endpoints.Count} endpoints found");

        using var http = s.Client(null);
        var hashOfAdmin = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OrchestratorServer.AdminToken)));
        var wrong = new List<string>();
        foreach (var (method, path) in endpoints)
        {
            if (method == "GET" && path == "/health")
            {
                Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Request(method, path, null))).StatusCode);
                continue;
            }
            foreach (var auth in new string?[] { null, "Bearer wrong-" + Guid.NewGuid(), "Bearer " + hashOfAdmin, "Basic " + Convert.ToBase64String("admin:x"u8.ToArray()), "Bearer " })
            {
                using var r = await http.SendAsync(Request(method, path, auth));
                if (r.StatusCode != HttpStatusCode.Unauthorized) wrong.Add($"{method} {path} with '{auth ?? "(none)"}' -> {(int)r.StatusCode}");
                else Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            }
        }
        Assert.True(wrong.Count == 0, "endpoints that did not answer 401:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public async Task A_refused_token_gets_a_reason_and_a_valid_one_passes()
    {
        using var anonymous = f.Server.Client(null);
        var none = await anonymous.GetAsync("/api/experiments");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("none was sent", await SecurityServerFixture.DetailAsync(none));

        using var bogus = f.Server.Client("not-a-token");
        var unknown = await bogus.GetAsync("/api/experiments");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Contains("unknown, revoked or expired", await SecurityServerFixture.DetailAsync(unknown));

        Assert.Equal(HttpStatusCode.OK, (await f.Server.Admin.GetAsync("/api/experiments")).StatusCode);
    }

    [Fact]
    public async Task Tokens_are_stored_as_sha256_hashes_only()
    {
        var s = f.Server;
        var secrets = new List<string> { OrchestratorServer.AdminToken };
        foreach (var role in new[] { "admin", "submitter", "viewer", "worker" }) secrets.Add(await s.TokenAsync(role, "hash-check-" + role));

        await using var c = new NpgsqlConnection(s.Database.ConnectionString);
        await c.OpenAsync();
        var rows = new List<(string Json, string Hash)>();
        await using (var cmd = new NpgsqlCommand("select row_to_json(t)::text, t.token_hash from api_tokens t", c))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1)));

        Assert.True(rows.Count >= secrets.Count);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(rows, r => r.Json.Contains(secret, StringComparison.Ordinal));
            // SHA-256 of the secret's UTF-8 bytes, lower-case hex: the only form the database keeps.
            var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
            Assert.Single(rows, r => r.Hash == expected);
            // The stored hash is not itself a credential.
            using var withHash = s.Client(expected);
            Assert.Equal(HttpStatusCode.Unauthorized, (await withHash.GetAsync("/api/experiments")).StatusCode);
        }
    }

    [Fact]
    public async Task Health_needs_no_token_and_says_nothing_secret()
    {
        using var anonymous = f.Server.Client(null);
        var body = await anonymous.GetStringAsync("/health");
        Assert.Equal("""{"status":"ok"}""", body);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "garbage");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
    }
}
