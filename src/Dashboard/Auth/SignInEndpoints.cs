using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Dggrn.Dashboard.Auth;

/// <summary>GET/POST /signin (token in the query or pasted in a form) and /signout.</summary>
public static class SignInEndpoints
{
    /// <summary>Maps the anonymous sign-in endpoints.</summary>
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signin", (HttpContext ctx, TokenSignIn tokens, string? token, string? returnUrl) =>
            token is null ? Task.FromResult(Form(null, returnUrl)) : SignInAsync(ctx, tokens, token, returnUrl)).AllowAnonymous();
        // The form posts a secret the user already holds; there is no session to ride on, so no antiforgery token.
        app.MapPost("/signin", async (HttpContext ctx, TokenSignIn tokens) =>
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            return await SignInAsync(ctx, tokens, form["token"], form["returnUrl"]);
        }).AllowAnonymous().DisableAntiforgery();
        app.MapGet("/signout", async (HttpContext ctx) =>
        {
            await ctx.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/signin");
        }).AllowAnonymous();
        app.MapGet("/denied", () => Results.Content(Page("Not allowed",
            "<p>Your role does not allow this page.</p><p><a href=\"/\">Back to experiments</a></p>"), "text/html", statusCode: 403))
            .AllowAnonymous();
        return app;
    }

    static async Task<IResult> SignInAsync(HttpContext ctx, TokenSignIn tokens, string? token, string? returnUrl)
    {
        SignedInUser? user;
        string? error;
        try
        {
            (user, error) = await tokens.ValidateAsync(token, ctx.RequestAborted);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException && !ctx.RequestAborted.IsCancellationRequested)
        {
            // The cause goes to the log (exception type and message only: database errors never carry the token); the user
            // learns it is not their token's fault.
            ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignInEndpoints))
                .LogError("sign-in could not check the token: the lab database failed with {Type}: {Message}", e.GetType().Name, e.Message);
            return Form("the lab database cannot be reached, so no token can be checked; try again later", returnUrl, StatusCodes.Status503ServiceUnavailable);
        }
        if (user is null) return Form(error, returnUrl, StatusCodes.Status401Unauthorized);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role), new Claim("token_id", user.TokenId.ToString())],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await ctx.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    // Only same-site paths: an open redirect would let a link send a freshly signed-in user anywhere.
    static bool IsLocal(string? url) => !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    static IResult Form(string? error, string? returnUrl, int status = StatusCodes.Status200OK)
    {
        var err = error is null ? "" : $"<p class=\"err\">Sign-in refused: {WebUtility.HtmlEncode(error)}.</p>";
        var ret = IsLocal(returnUrl) ? $"<input type=\"hidden\" name=\"returnUrl\" value=\"{WebUtility.HtmlEncode(returnUrl)}\">" : "";
        var body = $"""
            {err}
            <form method="post" action="/signin">
              <label for="token">Paste your token (from <code>dggrn token create</code> or an admin)</label>
              <input id="token" name="token" type="password" autocomplete="off" autofocus required>
              {ret}
              <button type="submit">Sign in</button>
            </form>
            """;
        return Results.Content(Page("Sign in to DGGRN Lab", body), "text/html", statusCode: status);
    }

    static string Page(string title, string body) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        <style>
          body { font-family: system-ui, sans-serif; background: #f5f5f5; display: flex; justify-content: center; padding-top: 10vh; }
          main { background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0003; width: min(28rem, 90vw); }
          input { width: 100%; padding: .5rem; margin: .5rem 0 1rem; box-sizing: border-box; }
          button { padding: .5rem 1.5rem; background: #3949ab; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
          .err { color: #b00020; }
        </style></head>
        <body><main><h1>{{title}}</h1>{{body}}</main></body></html>
        """;
}
