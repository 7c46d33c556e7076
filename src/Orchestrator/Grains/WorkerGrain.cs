using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Infrastructure;
using Dggrn.Orchestrator.Infrastructure.Entities;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Grains;

/// <summary>A worker process: its registration (held in memory, written through), heartbeats and leases.</summary>
/// <remarks>
/// One worker id belongs to one live process (<see cref="WorkerIdRule"/>): a second process registering an id whose
/// holder heartbeated within the lease TTL is refused; the same process registering again (a retried call) is not.
/// The grain serialises the calls of one id, so two processes racing for it cannot both win. Activation reads the
/// registration row, so a grain on another silo (after one died) knows the owner and the numerics check at once.
/// </remarks>
public sealed class WorkerGrain(LeaseStore leases, IDbContextFactory<LabDbContext> db, IOptions<OrchestratorOptions> options) : Grain, IWorkerGrain
{
    Guid? _owner;
    bool? _numericsPassed;
    string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var row = await ctx.Workers.AsNoTracking().Where(w => w.Id == Id).Select(w => new { w.TokenId, w.NumericsPassed }).FirstOrDefaultAsync(ct);
        (_owner, _numericsPassed) = (row?.TokenId, row?.NumericsPassed);
    }

    public async Task<RegisterWorkerResponse> RegisterAsync(RegisterWorkerRequest request, Guid tokenId)
    {
        await using var ctx = await db.CreateDbContextAsync();
        var w = await ctx.Workers.FirstOrDefaultAsync(x => x.Id == Id);
        var now = DateTimeOffset.UtcNow;
        var ttl = TimeSpan.FromSeconds(options.Value.LeaseTtlSeconds);
        if (w is not null && WorkerIdRule.Conflict(Id, w.Host, w.Pid, w.LastHeartbeatAt, request, now, ttl) is { } refused)
            return new RegisterWorkerResponse(Id, options.Value.HeartbeatSeconds, options.Value.LeaseTtlSeconds, refused);
        if (w is null)
        {
            w = new WorkerEntity { Id = Id, Host = request.Host, RegisteredAt = now };
            ctx.Workers.Add(w);
        }
        w.Host = request.Host;
        w.Pid = request.Pid;
        w.DevicesJson = JsonSerializer.Serialize(request.Devices, WireJson.Options);
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
        (_owner, _numericsPassed) = (tokenId, w.NumericsPassed);
        return new RegisterWorkerResponse(Id, options.Value.HeartbeatSeconds, options.Value.LeaseTtlSeconds);
    }

    public Task<Guid?> OwnerAsync() => Task.FromResult(_owner);

    public async Task<HeartbeatResponse> HeartbeatAsync(HeartbeatRequest request)
    {
        var r = await leases.HeartbeatAsync(Id, request);
        var stopped = r.Cancel.Concat(r.Lost).ToHashSet();
        foreach (var t in request.Trials.Where(t => !stopped.Contains(t.TrialId)))
            _ = GrainFactory.GetGrain<ITrialGrain>(t.TrialId).RenewedAsync(t.LeaseId, r.LeaseExpiresAt);
        return r;
    }

    // A worker whose float32 convolutions disagree with float64 would train on wrong numbers: it gets nothing to train.
    public Task<LeaseGrant[]> LeaseAsync(LeaseRequest request) =>
        _numericsPassed == false ? Task.FromResult<LeaseGrant[]>([]) : GrainFactory.GetGrain<ISchedulerGrain>(0).LeaseAsync(Id, request);
}
