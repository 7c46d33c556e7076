namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>A registered worker process.</summary>
public sealed class WorkerEntity
{
    public required string Id { get; set; }
    public required string Host { get; set; }
    public int Pid { get; set; }
    /// <summary>Devices as JSON (<see cref="Dggrn.Contracts.Api.DeviceInfo"/>[]).</summary>
    public string DevicesJson { get; set; } = "[]";
    public string Device { get; set; } = "cpu";
    public int Slots { get; set; }
    public int FreeSlots { get; set; }
    public string Version { get; set; } = "";
    /// <summary>The worker's numerics self-check (<see cref="Dggrn.Contracts.Api.NumericsInfo"/>) as JSON, or null when it reported none.</summary>
    public string? NumericsJson { get; set; }
    /// <summary>Whether that check passed; false: the worker computes wrong numbers and is given no trials.</summary>
    public bool? NumericsPassed { get; set; }
    public string State { get; set; } = "Active";
    /// <summary>The API token the worker registered with; only that token may act for it.</summary>
    public Guid? TokenId { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public DateTimeOffset LastHeartbeatAt { get; set; }
}
