namespace Dggrn.Dashboard;

/// <summary>Settings of the dashboard (section <c>Dashboard</c>).</summary>
public sealed class DashboardOptions
{
    /// <summary>Base URL of the orchestrator HTTP API used for submit/cancel/pause/resume and reports.</summary>
    public string OrchestratorUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Service token (submitter or admin) the dashboard sends to the orchestrator.</summary>
    public string? Token { get; set; }

    /// <summary>Safety-net poll interval for live curves, in seconds (NOTIFY does the fast path).</summary>
    public double PollSeconds { get; set; } = 1.0;

    /// <summary>How long a sign-in cookie stays valid without activity, in hours.</summary>
    public double SessionHours { get; set; } = 12;
}
