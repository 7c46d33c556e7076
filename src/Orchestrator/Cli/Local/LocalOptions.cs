namespace Dggrn.Orchestrator.Local;

/// <summary>Local-mode settings (section "Local" of appsettings.json, or Local__Key environment variables).</summary>
public sealed class LocalOptions
{
    /// <summary>Worker processes to start (`up --workers N` overrides).</summary>
    public int Workers { get; set; } = 1;

    /// <summary>Torch threads per worker; 0 = the machine's cores divided among the workers.</summary>
    public int WorkerThreads { get; set; }

    /// <summary>Orchestrator HTTP port; taken when free, else any free port.</summary>
    public int OrchestratorPort { get; set; } = 5080;

    /// <summary>Dashboard HTTP port; taken when free, else any free port.</summary>
    public int DashboardPort { get; set; } = 5090;

    /// <summary>Seconds a worker gets after SIGTERM to checkpoint and hand its leases back before SIGKILL (the worker drains for Worker:DrainSeconds, 60 by default).</summary>
    public int WorkerStopSeconds { get; set; } = 75;

    /// <summary>Seconds to wait for each component to report healthy at start-up.</summary>
    public int StartupTimeoutSeconds { get; set; } = 120;

    /// <summary>Restarts allowed per worker within ten minutes before the launcher gives up.</summary>
    public int MaxWorkerRestarts { get; set; } = 5;

    /// <summary>Lifetime of the one-time dashboard sign-in token.</summary>
    public int SignInTokenHours { get; set; } = 24;
}
