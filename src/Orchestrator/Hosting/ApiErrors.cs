using System.Security.Claims;
using System.Text.Json;
using Dggrn.Orchestrator.Auth;
using Microsoft.AspNetCore.WebUtilities;

namespace Dggrn.Orchestrator.Hosting;

/// <summary>Every refusal of the HTTP API is a one-line application/problem+json naming what was wrong and where;
/// bad input is a 4xx, never a 500, and no response ever carries a stack trace.</summary>
public static class ApiErrors
{
    /// <summary>Body limit, problem details, and minimal APIs that throw on bad input so that the reason reaches the client.</summary>
    public static WebApplicationBuilder AddApiErrors(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("HttpApi").Get<HttpApiOptions>() ?? new HttpApiOptions();
        if (options.MaxRequestBytes <= 0)
            throw new InvalidOperationException($"HttpApi:MaxRequestBytes: {options.MaxRequestBytes} is not a positive number of bytes");
        builder.Services.AddOptions<HttpApiOptions>().BindConfiguration("HttpApi");
        // Kestrel enforces the limit on chunked bodies too, which carry no Content-Length to check up front.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>Must run first: refuses oversized bodies before authentication reads anything, turns exceptions into problems,
    /// and gives bodiless 4xx answers (401, 403, 404, 405, 415) a problem that says why.</summary>
    public static WebApplication UseApiErrors(this WebApplication app)
    {
        var limit = app.Configuration.GetSection("HttpApi").Get<HttpApiOptions>()?.MaxRequestBytes ?? HttpApiOptions.DefaultMaxRequestBytes;
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrors));
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.ContentLength is { } length && length > limit)
            {
                await WriteAsync(ctx, StatusCodes.Status413PayloadTooLarge,
                    $"request body: {length} bytes is more than the limit of {limit} bytes (HttpApi:MaxRequestBytes)");
                return;
            }
            try
            {
                await next(ctx);
            }
            catch (BadHttpRequestException e) when (!ctx.Response.HasStarted)
            {
                log.LogDebug("{Method} {Path} refused: {Reason}", ctx.Request.Method, ctx.Request.Path, e.Message);
                await WriteAsync(ctx, e.StatusCode, Describe(e, limit));
            }
            catch (Exception e) when (!ctx.Response.HasStarted && !ctx.RequestAborted.IsCancellationRequested && DatabaseUnavailable(e) is { } why)
            {
                // PostgreSQL restarting or unreachable is not the client's fault and not a bug: 503, retry later. Workers retry
                // anyway; a person sees why. The reason is Npgsql's message, which never carries the connection string.
                log.LogWarning("{Method} {Path}: the lab database is unavailable: {Reason}", ctx.Request.Method, ctx.Request.Path, why);
                await WriteAsync(ctx, StatusCodes.Status503ServiceUnavailable, $"the lab database (PostgreSQL) is unavailable, retry shortly: {why}", retryAfterSeconds: 5);
            }
            catch (Exception e) when (!ctx.Response.HasStarted && !ctx.RequestAborted.IsCancellationRequested)
            {
                // The exception (type, message, stack) goes to the log only; the client gets a reference to find it.
                log.LogError(e, "{Method} {Path} failed (trace {TraceId})", ctx.Request.Method, ctx.Request.Path, ctx.TraceIdentifier);
                await WriteAsync(ctx, StatusCodes.Status500InternalServerError,
                    $"internal error while handling {ctx.Request.Method} {ctx.Request.Path} (trace {ctx.TraceIdentifier}); the orchestrator log has the details");
            }
        });
        app.UseStatusCodePages(sc => WriteAsync(sc.HttpContext, sc.HttpContext.Response.StatusCode, Explain(sc.HttpContext, limit)));
        return app;
    }

    /// <summary>Npgsql's one-line reason when <paramref name="e"/> (or an exception it wraps, e.g. in EF Core or a grain call) is a
    /// transient PostgreSQL failure: a server restart, a refused or broken connection; null otherwise.</summary>
    static string? DatabaseUnavailable(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is Npgsql.NpgsqlException { IsTransient: true } n) return n.Message.Split('\n')[0];
        return null;
    }

    static Task WriteAsync(HttpContext ctx, int status, string detail, int? retryAfterSeconds = null)
    {
        ctx.Response.Clear();
        if (retryAfterSeconds is { } seconds) ctx.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(detail: detail, statusCode: status).ExecuteAsync(ctx);
    }

    /// <summary>The reason for a bad request, with the JSON path and position when the body did not parse.</summary>
    static string Describe(BadHttpRequestException e, long limit)
    {
        if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            return $"request body: more than the limit of {limit} bytes (HttpApi:MaxRequestBytes)";
        if (e.InnerException is JsonException j)
        {
            var reason = j.Message.Split(" Path: ")[0].Split(" LineNumber: ")[0].TrimEnd('.', ' ');
            var at = j.LineNumber is { } line ? $" (line {line + 1}, byte {j.BytePositionInLine + 1})" : "";
            return $"request body: invalid JSON at {(string.IsNullOrEmpty(j.Path) ? "$" : j.Path)}{at}: {reason}";
        }
        // Minimal APIs word a missing body for the developer ("Implicit body inferred for parameter ..."): say it for the client.
        if (e.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal) || e.Message.StartsWith("Required parameter", StringComparison.Ordinal))
            return "request body: missing; this endpoint expects a JSON object (Content-Type: application/json)";
        return $"request: {e.Message.TrimEnd('.')}";
    }

    static string Explain(HttpContext ctx, long limit)
    {
        var what = $"{ctx.Request.Method} {ctx.Request.Path}";
        return ctx.Response.StatusCode switch
        {
            401 => $"{what} needs a valid token (Authorization: Bearer <token>): "
                   + (ctx.Items[TokenAuthenticationHandler.FailureItem] as string
                      ?? (ctx.Request.Headers.Authorization.Count == 0 ? "none was sent" : "the Authorization header is not a Bearer token")),
            403 => $"{what} is not allowed for a {ctx.User.FindFirstValue(ClaimTypes.Role) ?? "(no role)"} token",
            404 => $"{what}: no such resource (check the path and the id in it)",
            405 => $"{what}: method not allowed on this path",
            // Kestrel's own limit tripped while reading a body sent without a length (chunked).
            413 => $"request body: more than the limit of {limit} bytes (HttpApi:MaxRequestBytes)",
            415 => $"{what}: content type '{ctx.Request.ContentType}' is not supported; send application/json",
            _ => $"{what}: {ReasonPhrases.GetReasonPhrase(ctx.Response.StatusCode)}",
        };
    }
}
