using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Apis;

/// <summary>Maps outcomes to HTTP results with a one-line problem detail: the only place that knows status codes.</summary>
internal static class ApiResults
{
    public static IResult From(Outcome r) => r.IsOk ? Results.Ok() : Problem(Status(r.Kind), r.Error!);

    /// <summary>The HTTP status an outcome answers with (also carried per report in a batch's response).</summary>
    public static int Status(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Ok => StatusCodes.Status200OK,
        OutcomeKind.NotFound => StatusCodes.Status404NotFound,
        OutcomeKind.NotHolder => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status409Conflict,
    };

    public static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);
    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, detail);
}
