using Dggrn.Contracts.Api;
using Dggrn.Model.Numerics;

namespace Dggrn.Worker.Numerics;

/// <summary>Maps the model library's numerics report to the wire shape the orchestrator stores and shows.</summary>
public static class NumericsWire
{
    /// <summary>The wire form of <paramref name="r"/>.</summary>
    public static NumericsInfo ToInfo(NumericsReport r)
    {
        var p = r.Platform;
        return new NumericsInfo(r.Passed, r.Path?.Name(), r.Threads, r.Device, r.MaxRelativeError, r.Tolerance, p.CpuModel, p.CpuVendor,
            p.CpuFamily, p.CpuModelNumber, p.Libtorch, p.TorchSharp, p.OneDnn, p.AtenCapability, [.. r.OneDnnKernels],
            [.. r.Tried.Select(t => new NumericsPathResult(t.Path.Name(), t.MaxRelativeError, t.Worst, t.Passed, Math.Round(t.Seconds, 3)))],
            [.. r.Probes.Select(x => x.ToString())], r.Reason, Math.Round(r.Seconds, 3), DateTimeOffset.UtcNow);
    }
}
