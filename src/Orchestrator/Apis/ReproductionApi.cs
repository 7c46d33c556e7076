using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Reports;

namespace Dggrn.Orchestrator.Apis;

/// <summary>How far an experiment reproduces the paper: the scorecard and the frozen HTML report.</summary>
public static class ReproductionApi
{
    /// <summary>Maps the reproduction routes.</summary>
    public static IEndpointRouteBuilder MapReproductionApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api").WithTags("Experiments");
        g.MapGet("/experiments/{id:guid}/scorecard", ScorecardAsync).RequireAuthorization(Roles.ReadPolicy)
            .WithSummary("Every published value of Tables 1-3 and Figure 6 against the measured mean ± std, and the paper's orderings with their paired tests (format=json|md)");
        return app;
    }

    static async Task<IResult> ScorecardAsync(Guid id, double? toleranceDb, double? toleranceSsim, string? format, ScorecardService scorecards, CancellationToken ct)
    {
        var f = (format ?? "json").ToLowerInvariant();
        if (f is not ("json" or "md")) return ApiResults.Problem(400, $"format: '{f}' is not json or md");
        if (Tolerances(toleranceDb, toleranceSsim) is { } bad) return bad;
        var s = await scorecards.BuildAsync(id, toleranceDb ?? ScorecardBuilder.DefaultToleranceDb, toleranceSsim ?? ScorecardBuilder.DefaultToleranceSsim, ct);
        if (s is null) return ApiResults.Problem(404, $"experiment {id} does not exist");
        return f == "json" ? Results.Ok(s) : Results.Text(ScorecardFormatter.Markdown(s), "text/markdown");
    }

    /// <summary>The frozen report of <c>GET /api/experiments/{id}/report?format=html</c>.</summary>
    public static async Task<IResult> HtmlReportAsync(Guid id, double? toleranceDb, double? toleranceSsim, HtmlReportService reports, CancellationToken ct)
    {
        if (Tolerances(toleranceDb, toleranceSsim) is { } bad) return bad;
        var html = await reports.BuildAsync(id, toleranceDb ?? ScorecardBuilder.DefaultToleranceDb, toleranceSsim ?? ScorecardBuilder.DefaultToleranceSsim, ct);
        return html is null ? ApiResults.Problem(404, $"experiment {id} does not exist") : Results.Text(html, "text/html; charset=utf-8");
    }

    static IResult? Tolerances(double? db, double? ssim) =>
        db is { } d && !(d >= 0 && double.IsFinite(d)) ? ApiResults.Problem(400, $"toleranceDb: {d} is not a finite number >= 0")
        : ssim is { } s && !(s >= 0 && double.IsFinite(s)) ? ApiResults.Problem(400, $"toleranceSsim: {s} is not a finite number >= 0")
        : null;
}
