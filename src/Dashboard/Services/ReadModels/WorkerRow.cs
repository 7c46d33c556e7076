using Dggrn.Contracts.Api;

namespace Dggrn.Dashboard.Services.ReadModels;

/// <summary>A registered worker as the Workers page shows it: where it runs, its devices and slots, its state and last
/// heartbeat, its numerics self-check, the trials it holds and its recent failures.</summary>
/// <remarks><c>Device</c> (the device kind) stands in when <c>Devices</c> is empty (none reported, or unreadable).
/// <c>NumericsPassed</c> false: the worker computes wrong numbers and is refused trials; <c>Numerics</c> is the check as
/// reported, null when it reported none.</remarks>
public sealed record WorkerRow(string Id, string Host, int Pid, string Device, IReadOnlyList<DeviceInfo> Devices, int Slots, int FreeSlots,
    string State, bool? NumericsPassed, NumericsInfo? Numerics, DateTimeOffset LastHeartbeatAt, IReadOnlyList<HeldTrial> Current,
    IReadOnlyList<TransitionRow> Failures);

/// <summary>A trial a worker holds now (leased or running), as the Workers page links it.</summary>
public sealed record HeldTrial(Guid Id, string Key, int Epoch);
