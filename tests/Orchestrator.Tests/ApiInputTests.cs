using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dggrn.Contracts.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Bad input to the HTTP API gets a one-line problem (4xx) that names what was wrong: oversized bodies, malformed JSON,
/// wrong JSON types, wrong content types and unknown ids; never a 500, never a stack trace.</summary>
public sealed partial class ApiInputTests(SecurityServerFixture f) : IClassFixture<SecurityServerFixture>
{
    static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_oversized_body_is_refused_with_413_naming_the_limit_and_one_under_it_is_accepted()
    {
        var limit = SecurityServerFixture.MaxRequestBytes;
        // With a Content-Length: refused before the body is read.
        var big = JsonSerializer.Serialize(new SubmitRequest(TestSpecs.Noop(1) + "\n#" + new string('x', (int)limit), null), OrchestratorServer.Json);
        // Expect: 100-continue, as clients sending large bodies do: the client waits for the server's go-ahead, so the 413
        // sent instead cannot race the upload (without it the server may close the socket under a client still writing).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/specs/validate") { Content = Json(big) };
        request.Headers.ExpectContinue = true;
        var r = await f.Server.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        var detail = await SecurityServerFixture.DetailAsync(r);
        Assert.Contains($"limit of {limit} bytes", detail);
        Assert.Contains("HttpApi:MaxRequestBytes", detail);

        // Chunked (no Content-Length): Kestrel stops reading at the limit.
        var chunked = new PushStreamContent(limit * 2);
        var c = await f.Server.Admin.PostAsync("/api/specs/validate", chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, c.StatusCode);
        Assert.Contains("HttpApi:MaxRequestBytes", await SecurityServerFixture.DetailAsync(c));

        var padded = new SubmitRequest(TestSpecs.Noop(1) + "\n#" + new string('x', (int)limit / 2), null);
        var ok = await f.Server.Admin.PostAsJsonAsync("/api/specs/validate", padded);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    /// <summary>A JSON body of <c>{"spec":"xxxx..."}</c> sent without a length (chunked).</summary>
    sealed class PushStreamContent : HttpContent
    {
        readonly long _bytes;

        public PushStreamContent(long bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync("{\"spec\":\""u8.ToArray());
            var chunk = Encoding.ASCII.GetBytes(new string('x', 8192));
            try
            {
                for (long sent = 0; sent < _bytes; sent += chunk.Length) await stream.WriteAsync(chunk);
                await stream.WriteAsync("\"}"u8.ToArray());
            }
            catch (IOException)
            {
                // The server stopped reading at its limit and answered; the answer is what the test checks.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    [Theory]
    [InlineData("""{"spec": """, "$.spec")]
    [InlineData("""{"spec": 5}""", "$.spec")]
    [InlineData("""{"spec": "a", "priority": "high"}""", "$.priority")]
    [InlineData("""{"spec": "a", "rerun": "yes"}""", "$.rerun")]
    [InlineData("""[1, 2]""", "$")]
    [InlineData("""{"spec": "a",}""", "$")]
    public async Task Malformed_json_and_wrong_types_name_the_field(string body, string path)
    {
        var r = await f.Server.Admin.PostAsync("/api/experiments", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var detail = await SecurityServerFixture.DetailAsync(r);
        Assert.StartsWith($"request body: invalid JSON at {path}", detail);
        Assert.Contains("line 1, byte ", detail);
        Assert.DoesNotContain("   at ", detail);
    }

    [Fact]
    public async Task A_wrong_type_in_a_nested_field_names_its_path()
    {
        var r = await f.Server.Admin.PostAsync("/api/tokens", Json("""{"name":"n","role":"viewer","expiresInSeconds":"soon"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.StartsWith("request body: invalid JSON at $.expiresInSeconds", await SecurityServerFixture.DetailAsync(r));
        var ok = await f.Server.Admin.PostAsync("/api/tokens", Json("""{"name":"n","role":"viewer","expiresInSeconds":60}"""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task A_wrong_content_type_is_415(string type)
    {
        var r = await f.Server.Admin.PostAsync("/api/experiments", new StringContent("""{"preset":"smoke"}""", Encoding.UTF8, type));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode);
        Assert.Contains("application/json", await SecurityServerFixture.DetailAsync(r));
    }

    [Fact]
    public async Task A_missing_body_is_400()
    {
        var r = await f.Server.Admin.PostAsync("/api/experiments", Json(""));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.StartsWith("request body: missing", await SecurityServerFixture.DetailAsync(r));
    }

    [Theory]
    [InlineData("/api/workers/register", """{"host":"h","pid":1,"devices":[null],"version":"v"}""", "$.devices[0]")]
    [InlineData("/api/workers/register", """{"host":"h","pid":1,"version":"v"}""", "$.devices")]
    [InlineData("/api/tokens", """{"role":"viewer"}""", "$.name")]
    public async Task A_missing_required_member_is_400_naming_its_path(string path, string body, string member)
    {
        var r = await f.Server.Admin.PostAsync(path, Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.StartsWith($"request body: {member} is missing or null", await SecurityServerFixture.DetailAsync(r));
    }

    [Fact]
    public async Task Unknown_ids_are_404_naming_the_id()
    {
        var id = Guid.NewGuid();
        using var submitter = await f.ClientAsync("submitter");
        foreach (var (c, method, path) in new (HttpClient, string, string)[]
        {
            (f.Server.Admin, "GET", $"/api/experiments/{id}"),
            (f.Server.Admin, "GET", $"/api/experiments/{id}/report?table=1&format=md"),
            (f.Server.Admin, "POST", $"/api/experiments/{id}/cancel"),
            (submitter, "POST", $"/api/experiments/{id}/pause"),
            (submitter, "POST", $"/api/trials/{id}/cancel"),
            (f.Server.Admin, "POST", $"/api/trials/{id}/resume"),
            (f.Server.Admin, "GET", $"/api/trials/{id}/checkpoints/latest"),
        })
        {
            var r = await c.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.True(r.StatusCode == HttpStatusCode.NotFound, $"{method} {path} -> {(int)r.StatusCode}");
            Assert.Contains(id.ToString(), await SecurityServerFixture.DetailAsync(r));
        }
        var malformed = await f.Server.Admin.GetAsync("/api/experiments/not-a-guid");
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        Assert.Contains("/api/experiments/not-a-guid", await SecurityServerFixture.DetailAsync(malformed));
        var report = await f.Server.Admin.GetAsync($"/api/experiments/{id}/report?table=nine");
        Assert.Equal(HttpStatusCode.BadRequest, report.StatusCode);
        Assert.Contains("table", await SecurityServerFixture.DetailAsync(report));
    }

    [GeneratedRegex(@"\{(?<n>[^}:]+)(?<c>[^}]*)\}")]
    private static partial Regex Parameter();

    /// <summary>Bodies no client should send; each endpoint must refuse every one with a 4xx problem.</summary>
    static readonly string[] BadBodies =
    [
        "{", "[]", "\"text\"", "{}", "null", "0", "{\"leaseId\":\"nope\"}", "{\"leaseId\":123,\"points\":{\"a\":1}}",
        "{\"points\":[{\"name\":5}]}", "{\"points\":[null]}", "{\"points\":null,\"leaseId\":\"00000000-0000-0000-0000-000000000000\"}",
        "{\"devices\":null}", "{\"devices\":[null]}", "{\"spec\":null,\"preset\":null}", "{\"name\":null,\"role\":null}",
        "{\"trials\":[null]}", "{\"trials\":null}", "{\"maxTrials\":-5,\"device\":null}", "{\"result\":null,\"leaseId\":\"00000000-0000-0000-0000-000000000000\"}",
        new string('[', 200) + new string(']', 200), "\uFEFF{}", "{\"a\":\"\\ud800\"}",
    ];

    [Fact]
    public async Task Every_json_endpoint_refuses_garbage_bodies_without_a_500_or_a_stack_trace()
    {
        var s = f.Server;
        var (exp, trials) = await SecurityServerFixture.SubmitAsync(s.Admin, trials: 1);
        var worker = await WorkerClient.RegisterAsync(s, OrchestratorServer.AdminToken, "fuzz-" + Guid.NewGuid().ToString("N")[..6]);
        await worker.LeaseAsync(64);
        var endpoints = s.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAcceptsMetadata>() is not null).ToList();
        Assert.True(endpoints.Count >= 12, $"only {endpoints.Count} endpoints take a body");

        var problems = new List<string>();
        foreach (var e in endpoints)
        {
            var raw = e.RoutePattern.RawText!;
            var path = Parameter().Replace(raw, m => raw.StartsWith("/api/trials") ? trials[0].ToString()
                : raw.StartsWith("/api/experiments") ? exp.ToString() : raw.StartsWith("/api/workers") ? worker.Id : Guid.NewGuid().ToString());
            foreach (var method in e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["POST"])
            foreach (var body in BadBodies)
            {
                using var r = await s.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json(body) });
                var text = await r.Content.ReadAsStringAsync();
                var code = (int)r.StatusCode;
                if (code >= 500 || text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal))
                    problems.Add($"{method} {path} {body[..Math.Min(body.Length, 40)]} -> {code} {text[..Math.Min(text.Length, 300)]}");
                // Spec endpoints answer 400 with their documented SpecErrorsResponse (application/json); all else with a problem.
                else if (code >= 400 && r.Content.Headers.ContentType?.MediaType != "application/problem+json"
                         && !(code == 400 && r.Content.Headers.ContentType?.MediaType == "application/json" && text.Contains("\"errors\"")))
                    problems.Add($"{method} {path} {body[..Math.Min(body.Length, 40)]} -> {code} without a problem body");
            }
        }
        Assert.True(problems.Count == 0, $"{problems.Count} bad answers:\n" + string.Join("\n", problems.Take(60)));
    }
}
