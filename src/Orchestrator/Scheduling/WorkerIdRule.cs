using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Scheduling;

/// <summary>Who may register a worker id that is already registered.</summary>
/// <remarks>
/// A worker process is (host, pid). While the process that holds an id is alive (it heartbeated within the lease
/// TTL), another process asking for the same id (two workers started with the same Worker:Name) is refused: it
/// would otherwise share the first one's row, slot count and listing, and an operator could not tell them apart.
/// The same process registering again (a retried call) is accepted. Once the holder has been silent for a lease
/// TTL, every lease it held has lapsed too (heartbeats are what renew leases), so a new process may take the id
/// over (a restarted worker) without any lease of the old one still live. The fence against a stale holder that
/// comes back is the lease id: each report names its lease, and a lapsed lease's reports are refused (409).
/// </remarks>
public static class WorkerIdRule
{
    /// <summary>Null when <paramref name="request"/> may take id <paramref name="id"/>; else the one-line reason it may not.</summary>
    public static string? Conflict(string id, string host, int pid, DateTimeOffset lastHeartbeat, RegisterWorkerRequest request,
        DateTimeOffset now, TimeSpan leaseTtl)
    {
        if (host == request.Host && pid == request.Pid) return null;
        var silent = now - lastHeartbeat;
        if (silent >= leaseTtl) return null;
        var wait = Math.Max(1, (int)Math.Ceiling((leaseTtl - silent).TotalSeconds));
        return $"worker id '{id}' is in use by a live worker (host {host}, pid {pid}, last heartbeat {Math.Max(0, silent.TotalSeconds):0} s ago): " +
               $"give this worker another Worker:Name or stop the other one (a stopped worker's id is free again within {wait} s)";
    }
}
