namespace Dggrn.Orchestrator;

/// <summary>Settings of the orchestrator (section "Orchestrator").</summary>
public sealed class OrchestratorOptions
{
    /// <summary>"Localhost" (one silo, local mode) or "AdoNet" (silos form a cluster through PostgreSQL).</summary>
    public string Clustering { get; set; } = "Localhost";
    public int SiloPort { get; set; } = 11111;
    /// <summary>
    /// AdoNet clustering: the address other silos and clients use to reach this silo (an IP, or a host name resolved at
    /// start, e.g. the compose service name or the pod IP). Default 127.0.0.1: a cluster of processes on one machine.
    /// </summary>
    public string? AdvertisedAddress { get; set; }
    /// <summary>AdoNet clustering: listen on every interface (containers) instead of only the advertised address.</summary>
    public bool ListenOnAnyAddress { get; set; }
    public int GatewayPort { get; set; } = 30000;
    /// <summary>Orleans cluster and service id (AdoNet clustering: silos with equal ids form one cluster).</summary>
    public string ClusterId { get; set; } = "dggrn";
    public string ServiceId { get; set; } = "dggrn";
    /// <summary>A lease not renewed by a heartbeat within this many seconds lapses.</summary>
    public int LeaseTtlSeconds { get; set; } = 30;
    /// <summary>How often workers are told to heartbeat.</summary>
    public int HeartbeatSeconds { get; set; } = 5;
    /// <summary>Attempts (leases) a trial gets before it fails with its last error.</summary>
    public int MaxAttempts { get; set; } = 3;
    /// <summary>How often lapsed leases are looked for, in milliseconds.</summary>
    public int LeaseScanMilliseconds { get; set; } = 1000;
    /// <summary>An admin token ensured to exist at start-up (local mode and first deployment).</summary>
    public string? BootstrapAdminToken { get; set; }
    /// <summary>Version of the model code; part of every trial identity.</summary>
    public string CodeVersion { get; set; } = "dggrn-model-1";
    /// <summary>
    /// Folders a submitted spec may name volume files and globs in (any number; relative ones against the working
    /// directory). Empty: the "data" folder of the working directory and /data (the containers' dataset mount). Paths from server configuration
    /// (<c>Datasets:&lt;Name&gt;:Train|Test</c>) and phantom: URIs are always allowed. Environment form:
    /// <c>Orchestrator__DataRoots__0=/data</c>, <c>Orchestrator__DataRoots__1=...</c>.
    /// </summary>
    public List<string> DataRoots { get; set; } = [];
    /// <summary>A spec whose grid has more cells than this (counted before expanding it) is refused.</summary>
    public int MaxTrialsPerExperiment { get; set; } = 10_000;
    /// <summary>Fast membership failure detection (seconds instead of ~15 s); for tests and small clusters.</summary>
    public bool FastFailover { get; set; }
}
