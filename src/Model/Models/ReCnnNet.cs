using Dggrn.Model.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dggrn.Model.Models;

/// <summary>ReCNN: the residual-learning CNN of Pham et al. (ISBI 2017; CMIG 2019), trained as a 2D network as the DGGRN paper
/// did: bicubic upscaling (fixed, dggrn-v1), then L plain 3x3 convolutions (1 -> K, L - 2 times K -> K, K -> 1), a ReLU after
/// every convolution but the last, no normalisation, and global residual learning (output = interpolated input + last conv).</summary>
/// <remarks>Grid mapping: depth L = 2N + 4 for <c>blocks</c> = N, so N = 8 gives the published 20 layers and each step of N adds
/// two K -> K convolutions, as one residual block does in the other networks; <c>filters</c> = K (docs/decisions.md, "SCSR and ReCNN").</remarks>
public sealed class ReCnnNet : SrNetwork
{
    readonly InterpolatedInput interp;
    readonly ModuleList<Conv2d> layers = new();
    readonly long filters;

    /// <summary>Convolution layers L for <paramref name="blocks"/> = N: 2N + 4.</summary>
    public static int DepthFor(int blocks) => 2 * blocks + 4;

    /// <summary>Builds the network; weights come from torch's current generator (seed it first for determinism).</summary>
    public ReCnnNet(int blocks, long filters, int scale) : base("recnn")
    {
        if (blocks < 1) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "recnn: blocks must be at least 1 (depth 2N + 4)");
        if (filters < 1) throw new ArgumentOutOfRangeException(nameof(filters), filters, "recnn: at least one filter");
        if (scale < 2 || scale > 4) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be 2, 3 or 4");
        this.filters = filters;
        interp = new InterpolatedInput(scale);
        int depth = DepthFor(blocks);
        for (int i = 0; i < depth; i++)
            layers.Add(nn.Conv2d(i == 0 ? 1 : filters, i == depth - 1 ? 1 : filters, 3, padding: 1));
        RegisterComponents();
        XavierInit();
    }

    /// <inheritdoc/>
    public override int Scale => interp.Scale;

    /// <summary>Number of convolution layers L.</summary>
    public int Depth => layers.Count;

    /// <inheritdoc/>
    public override double FlopsPerLrPixel
    {
        get
        {
            double perHr = ConvFlops(1, filters) + (layers.Count - 2) * ConvFlops(filters, filters) + ConvFlops(filters, 1) + 1;
            return Scale * Scale * (perHr + InterpolatedInput.FlopsPerHrPixel);
        }
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor lr, out Tensor? gm)
    {
        gm = null;
        using var scope = NewDisposeScope();
        var up = interp.Upscale(lr);
        var h = up;
        for (int i = 0; i < layers.Count; i++)
        {
            var z = layers[i].Conv(h);
            var next = i < layers.Count - 1 ? nn.functional.relu(z) : z;
            // Without autograd nothing needs earlier activations: free them now (whole HR slices are large).
            if (!is_grad_enabled())
            {
                if (!ReferenceEquals(h, up)) h.Dispose();
                if (!ReferenceEquals(z, next)) z.Dispose();
            }
            h = next;
        }
        var sr = up + h;
        return sr.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) interp.Dispose();
        base.Dispose(disposing);
    }
}
