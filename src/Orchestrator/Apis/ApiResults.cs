using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Apis;

/// <summary>Maps store outcomes to HTTP results with a one-line problem detail.</summary>
internal static class ApiResults
{
    public static IResult From(OpResult r) => r.IsOk ? Results.Ok() : Problem(r.Status, r.Error!);
    public static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);
    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, detail);
}
