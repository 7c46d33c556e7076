using System.Security.Claims;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Queries;
using Dggrn.Orchestrator.Reports;
using Dggrn.Orchestrator.Specs;

namespace Dggrn.Orchestrator.Apis;

/// <summary>Experiments: submit, validate, list, detail, control, report.</summary>
public static class ExperimentsApi
{
    /// <summary>Maps the experiment routes.</summary>
    public static IEndpointRouteBuilder MapExperimentsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api").WithTags("Experiments");
        g.MapPost("/experiments", SubmitAsync).RequireAuthorization(Roles.SubmitPolicy);
        g.MapPost("/specs/validate", Validate).RequireAuthorization(Roles.ReadPolicy);
        g.MapGet("/experiments", ListAsync).RequireAuthorization(Roles.ReadPolicy);
        g.MapGet("/experiments/{id:guid}", DetailAsync).RequireAuthorization(Roles.ReadPolicy);
        // Control is for the experiment's owner or an admin (ExperimentAccess); the role policy only keeps viewers and workers out.
        g.MapPost("/experiments/{id:guid}/cancel", (Guid id, [AsParameters] ControlContext c) => ControlAsync(id, c, (e, by) => e.CancelAsync(by))).RequireAuthorization(Roles.SubmitPolicy);
        g.MapPost("/experiments/{id:guid}/pause", (Guid id, [AsParameters] ControlContext c) => ControlAsync(id, c, (e, by) => e.PauseAsync(by))).RequireAuthorization(Roles.SubmitPolicy);
        g.MapPost("/experiments/{id:guid}/resume", (Guid id, [AsParameters] ControlContext c) => ControlAsync(id, c, (e, _) => e.ResumeAsync())).RequireAuthorization(Roles.SubmitPolicy);
        g.MapGet("/experiments/{id:guid}/report", ReportAsync).RequireAuthorization(Roles.ReadPolicy);
        return app;
    }

    static async Task<IResult> SubmitAsync(SubmitRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var id = Guid.CreateVersion7();
        var outcome = await grains.GetGrain<IExperimentGrain>(id).SubmitAsync(
            new SubmitCommand(request.Spec, request.Preset, request.Priority, user.Identity?.Name ?? "", request.Rerun));
        return outcome.Stored is { } stored ? Results.Created($"/api/experiments/{id}", stored)
            : Results.BadRequest(new SpecErrorsResponse("invalid grid spec", outcome.Errors));
    }

    static IResult Validate(SubmitRequest request, SpecCompiler compiler)
    {
        var (grid, errors) = compiler.Compile(request.Spec, request.Preset, request.Priority);
        return grid is null ? Results.BadRequest(new SpecErrorsResponse("invalid grid spec", errors)) : Results.Ok(new { trials = grid.Trials.Length });
    }

    static async Task<IResult> ListAsync(LabQueries q, CancellationToken ct) => Results.Ok(await q.ExperimentsAsync(ct));

    static async Task<IResult> DetailAsync(Guid id, LabQueries q, CancellationToken ct) =>
        await q.ExperimentAsync(id, ct) is { } d ? Results.Ok(d) : ApiResults.Problem(404, $"experiment {id} does not exist");

    /// <summary>What a control request needs: the grains, the caller and the ownership check.</summary>
    internal sealed record ControlContext(IGrainFactory Grains, ClaimsPrincipal User, ExperimentAccess Access, CancellationToken Aborted);

    static async Task<IResult> ControlAsync(Guid id, ControlContext c, Func<IExperimentGrain, string, Task<int>> op)
    {
        if (await c.Access.ExperimentAsync(c.User, id, c.Aborted) is { } denied) return denied;
        var grain = c.Grains.GetGrain<IExperimentGrain>(id);
        if (await grain.GetStateAsync() is null) return ApiResults.Problem(404, $"experiment {id} does not exist");
        return Results.Ok(new { trials = await op(grain, c.User.Identity!.Name!) });
    }

    static async Task<IResult> ReportAsync(Guid id, int? table, string? format, ReportService reports, CancellationToken ct)
    {
        var t = table ?? 1;
        var f = (format ?? "md").ToLowerInvariant();
        if (t is < 1 or > 3) return ApiResults.Problem(400, $"table: {t} is not 1, 2 or 3");
        if (f is not ("md" or "csv" or "latex" or "json")) return ApiResults.Problem(400, $"format: '{f}' is not md, csv, latex or json");
        var report = await reports.BuildAsync(id, t, ct);
        if (report is null) return ApiResults.Problem(404, $"experiment {id} does not exist");
        return f == "json" ? Results.Ok(report) : Results.Text(ReportFormatter.Format(report, f), f switch
        {
            "csv" => "text/csv",
            "md" => "text/markdown",
            _ => "text/plain",
        });
    }
}
