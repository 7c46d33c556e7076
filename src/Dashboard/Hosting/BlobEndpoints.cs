using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Dashboard.Services;

namespace Dggrn.Dashboard.Hosting;

/// <summary>Example images and checkpoint downloads from the checkpoint store, behind sign-in.</summary>
/// <remarks>
/// Objects are addressed by their database row, never by a raw key, so a signed-in user can only fetch
/// what the lab recorded (no browsing the bucket).
/// </remarks>
public static class BlobEndpoints
{
    /// <summary>Maps GET /files/artifacts/{id} (PNG) and GET /files/checkpoints/{id} (attachment).</summary>
    public static IEndpointRouteBuilder MapBlobEndpoints(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("/files");
        files.MapGet("/artifacts/{id:long}", GetArtifactAsync);
        files.MapGet("/checkpoints/{id:long}", GetCheckpointAsync);
        return app;
    }

    static async Task<IResult> GetArtifactAsync(long id, LabReader lab, ICheckpointStore store, HttpContext ctx)
    {
        var key = await lab.ArtifactKeyAsync(id, ctx.RequestAborted);
        if (key is null) return Results.NotFound($"no artifact {id}");
        var bytes = await store.GetAsync(key, ctx.RequestAborted);
        if (bytes is null) return Results.NotFound($"artifact {id} is recorded but '{key}' is missing from {store.Describe}");
        // Images never change under a key, so the browser may keep them.
        ctx.Response.Headers.CacheControl = "private, max-age=86400, immutable";
        return Results.Bytes(bytes, "image/png");
    }

    static async Task<IResult> GetCheckpointAsync(long id, LabReader lab, ICheckpointStore store, HttpContext ctx)
    {
        var row = await lab.CheckpointFileAsync(id, ctx.RequestAborted);
        if (row is null) return Results.NotFound($"no checkpoint {id}");
        var bytes = await store.GetAsync(row.Key, ctx.RequestAborted);
        if (bytes is null) return Results.NotFound($"checkpoint {id} is recorded but '{row.Key}' is missing from {store.Describe}");
        return Results.File(bytes, "application/octet-stream", $"{row.TrialKey ?? "trial"}-attempt{row.Attempt}-epoch{row.Epoch}.ckpt");
    }
}
