using System.Security.Claims;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Auth;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Queries;

namespace Dggrn.Orchestrator.Apis;

/// <summary>Worker registration, heartbeat, lease; and the workers listing.</summary>
public static class WorkersApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapWorkersApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/workers").WithTags("Workers");
        g.MapGet("/", ListAsync).RequireAuthorization(Roles.ReadPolicy);
        g.MapPost("/register", RegisterAsync).RequireAuthorization(Roles.WorkerPolicy);
        g.MapPost("/{id}/heartbeat", HeartbeatAsync).RequireAuthorization(Roles.WorkerPolicy);
        g.MapPost("/{id}/lease", LeaseAsync).RequireAuthorization(Roles.WorkerPolicy);
        return app;
    }

    static async Task<IResult> ListAsync(LabQueries q, CancellationToken ct) => Results.Ok(await q.WorkersAsync(ct));

    static async Task<IResult> RegisterAsync(RegisterWorkerRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        if (request.Devices is not { Length: > 0 }) return ApiResults.Problem(400, "devices: a worker must offer at least one device");
        var id = request.Name is { Length: > 0 } n ? n : $"{request.Host}-{request.Pid}-{Guid.NewGuid().ToString("N")[..6]}";
        var tokenId = WorkerAccess.TokenId(user);
        var grain = grains.GetGrain<IWorkerGrain>(id);
        if (await grain.OwnerAsync() is { } owner && owner != tokenId && !user.IsInRole(Roles.Admin))
            return ApiResults.Forbidden($"worker {id} is registered with another token");
        var response = await grain.RegisterAsync(request, tokenId);
        return response.Refused is { } inUse ? ApiResults.Problem(StatusCodes.Status409Conflict, inUse) : Results.Ok(response); // WorkerIdRule
    }

    static async Task<IResult> HeartbeatAsync(string id, HeartbeatRequest request, IGrainFactory grains, ClaimsPrincipal user) =>
        !await WorkerAccess.MayActForAsync(grains, user, id) ? ApiResults.Forbidden($"this token may not act for worker {id}")
            : Results.Ok(await grains.GetGrain<IWorkerGrain>(id).HeartbeatAsync(request));

    static async Task<IResult> LeaseAsync(string id, LeaseRequest request, IGrainFactory grains, ClaimsPrincipal user) =>
        !await WorkerAccess.MayActForAsync(grains, user, id) ? ApiResults.Forbidden($"this token may not act for worker {id}")
            : Results.Ok(await grains.GetGrain<IWorkerGrain>(id).LeaseAsync(request));
}
