using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Contracts.Storage;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Grains;

/// <summary>A worker process: its registration row and the heartbeats that renew its leases.</summary>
/// <remarks>
/// One worker id belongs to one live process (<see cref="WorkerIdRule"/>): a second process registering an id whose
/// holder heartbeated within the lease TTL is refused; the same process registering again (a retried call) is not.
/// The grain serialises registrations of one id, so two processes racing for it cannot both win.
/// </remarks>
public sealed class WorkerGrain(LeaseStore leases, IDbContextFactory<LabDbContext> db, IOptions<OrchestratorOptions> options) : Grain, IWorkerGrain
{
    static readonly JsonSerializerOptions Json = WireJson.Options;

    public async Task<RegisterWorkerResponse> RegisterAsync(RegisterWorkerRequest request, Guid tokenId)
    {
        var id = this.GetPrimaryKeyString();
        await using var ctx = await db.CreateDbContextAsync();
        var w = await ctx.Workers.FirstOrDefaultAsync(x => x.Id == id);
        var now = DateTimeOffset.UtcNow;
        var ttl = TimeSpan.FromSeconds(options.Value.LeaseTtlSeconds);
        if (w is not null && WorkerIdRule.Conflict(id, w.Host, w.Pid, w.LastHeartbeatAt, request, now, ttl) is { } refused)
            return new RegisterWorkerResponse(id, options.Value.HeartbeatSeconds, options.Value.LeaseTtlSeconds, refused);
        if (w is null)
        {
            w = new WorkerEntity { Id = id, Host = request.Host, RegisteredAt = now };
            ctx.Workers.Add(w);
        }
        w.Host = request.Host;
        w.Pid = request.Pid;
        w.DevicesJson = JsonSerializer.Serialize(request.Devices, Json);
        w.Device = string.Join(",", request.Devices.Select(d => d.Name));
        w.Slots = request.Devices.Sum(d => d.Slots);
        w.FreeSlots = w.Slots;
        w.Version = request.Version;
        w.NumericsJson = request.Numerics is null ? null : JsonSerializer.Serialize(request.Numerics, WireJson.Options);
        w.NumericsPassed = request.Numerics?.Passed;
        w.State = "Active";
        w.TokenId = tokenId;
        w.LastHeartbeatAt = now;
        await ctx.SaveChangesAsync();
        return new RegisterWorkerResponse(id, options.Value.HeartbeatSeconds, options.Value.LeaseTtlSeconds);
    }

    public Task<HeartbeatResponse> HeartbeatAsync(HeartbeatRequest request) => leases.HeartbeatAsync(this.GetPrimaryKeyString(), request);
}
