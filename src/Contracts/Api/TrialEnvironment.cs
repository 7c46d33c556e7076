namespace Dggrn.Contracts.Api;

/// <summary>Where and with what one trial attempt ran, recorded when it starts: enough to tell two runs' conditions apart.</summary>
/// <param name="Host">Worker machine name.</param>
/// <param name="WorkerId">Worker id.</param>
/// <param name="Device">Device the trial ran on.</param>
/// <param name="Threads">Torch intra-op threads.</param>
/// <param name="Runtime">.NET runtime ("10.0.3").</param>
/// <param name="Os">Operating system description.</param>
/// <param name="WorkerVersion">The worker's version.</param>
/// <param name="Numerics">The numerics self-check of this trial's own network (null for methods without one).</param>
public sealed record TrialEnvironment(string Host, string WorkerId, string Device, int Threads, string Runtime, string Os, string WorkerVersion,
    NumericsInfo? Numerics);
