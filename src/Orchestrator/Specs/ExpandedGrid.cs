using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Specs;

/// <summary>A grid expanded into unique trials (shared cells counted once), ready to be stored.</summary>
public sealed record ExpandedGrid(string Name, string Protocol, int Priority, string SpecText, PlannedTrial[] Trials);

/// <summary>One unique trial of an expanded grid.</summary>
/// <param name="Key">Human key, unique within the experiment.</param>
/// <param name="Identity">SHA-256 hex of the canonical <see cref="TrialConfig"/> (see <see cref="TrialIdentity"/>).</param>
/// <param name="Tables">Tables/figures the trial feeds ("1", "2", "3", "fig6").</param>
/// <param name="Config">What the worker runs.</param>
/// <param name="Device">"any", "cpu" or "cuda".</param>
/// <param name="MemoryEstimateBytes">Device memory the trial is expected to need (see <see cref="MemoryEstimate"/>).</param>
public sealed record PlannedTrial(string Key, string Identity, string[] Tables, TrialConfig Config, string Device, long MemoryEstimateBytes);

