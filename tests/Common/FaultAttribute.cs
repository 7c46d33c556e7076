using Xunit.Sdk;

namespace Dggrn.Tests.Common;

/// <summary>
/// Marks a test as the proof of one reliability promise: the fault it injects and what the platform promises
/// under it. Written into the test results as the traits "Fault" and "Promise", from which tools/scorecard.cs
/// generates docs/reliability.md.
/// </summary>
/// <param name="fault">What the test does to the system, e.g. "SIGKILL a worker while training".</param>
/// <param name="promise">What the platform guarantees despite it (the test's assertions).</param>
[TraitDiscoverer("Dggrn.Tests.Common." + nameof(FaultTraitDiscoverer), "Dggrn.Tests.Common")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FaultAttribute(string fault, string promise) : Attribute, ITraitAttribute
{
    /// <summary>Trait name of the injected fault.</summary>
    public const string FaultTrait = "Fault";

    /// <summary>Trait name of the promise.</summary>
    public const string PromiseTrait = "Promise";

    /// <summary>The injected fault.</summary>
    public string Fault { get; } = fault;

    /// <summary>The promise the test proves.</summary>
    public string Promise { get; } = promise;
}
