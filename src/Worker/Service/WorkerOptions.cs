namespace Dggrn.Worker.Service;

/// <summary>Settings of the worker service (configuration section "Worker").</summary>
public sealed class WorkerOptions
{
    /// <summary>Base URL of the orchestrator's HTTP API.</summary>
    public string OrchestratorUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Worker token (role worker); never logged.</summary>
    public string Token { get; set; } = "";

    /// <summary>"auto" (every CUDA device, else the CPU), "cpu", or a list such as "cuda:0,cuda:1".</summary>
    public string Devices { get; set; } = "auto";

    /// <summary>Concurrent trials per device.</summary>
    public int SlotsPerDevice { get; set; } = 1;

    /// <summary>Per-trial working files (launch files, metric journals); default a dggrn-worker folder under the temp directory.</summary>
    public string? ScratchDirectory { get; set; }

    /// <summary>A trial that reports no progress (no step, log or epoch) for this long is killed and reported.</summary>
    public int HungTrialSeconds { get; set; } = 900;

    /// <summary>Torch threads per trial; 0 = processor count divided by the number of slots.</summary>
    public int Threads { get; set; }

    /// <summary>Optional display name shown in the dashboard's worker list.</summary>
    public string? Name { get; set; }

    /// <summary>On SIGTERM, how long running trials get to checkpoint and hand their leases back before they are killed.</summary>
    public int DrainSeconds { get; set; } = 60;

    /// <summary>Upper bound of a trial's on-disk metric buffer while the orchestrator is unreachable.</summary>
    public long MetricBufferBytes { get; set; } = 64L << 20;

    /// <summary>Reconcile: objects without a record older than this are deleted.</summary>
    public int OrphanGraceSeconds { get; set; } = 3600;
}
