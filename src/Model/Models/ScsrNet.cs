using Dggrn.Model.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dggrn.Model.Models;

/// <summary>SCSR: the single-contrast super-resolution subnet of Zeng et al. (Comput. Biol. Med. 2018), as a 2D network on the
/// interpolated input: bicubic upscaling (fixed, dggrn-v1), head conv 1 -> K, N residual blocks (conv, ReLU, conv, identity
/// skip), tail conv K -> 1, and global residual learning (output = interpolated input + tail). Every conv is 3x3 and works at
/// HR resolution.</summary>
/// <remarks>Grid mapping: <c>blocks</c> = N residual blocks, <c>filters</c> = K (docs/decisions.md, "SCSR and ReCNN").</remarks>
public sealed class ScsrNet : SrNetwork
{
    readonly InterpolatedInput interp;
    readonly Conv2d head, tail;
    readonly ModuleList<ResidualBlock> blocks = new();
    readonly long filters;

    /// <summary>Builds the network; weights come from torch's current generator (seed it first for determinism).</summary>
    public ScsrNet(int blocks, long filters, int scale) : base("scsr")
    {
        if (blocks < 1) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "scsr: at least one residual block");
        if (filters < 1) throw new ArgumentOutOfRangeException(nameof(filters), filters, "scsr: at least one filter");
        if (scale < 2 || scale > 4) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be 2, 3 or 4");
        this.filters = filters;
        interp = new InterpolatedInput(scale);
        head = nn.Conv2d(1, filters, 3, padding: 1);
        for (int i = 0; i < blocks; i++) this.blocks.Add(new ResidualBlock($"block{i}", filters));
        tail = nn.Conv2d(filters, 1, 3, padding: 1);
        RegisterComponents();
        XavierInit();
    }

    /// <inheritdoc/>
    public override int Scale => interp.Scale;

    /// <summary>Number of residual blocks N.</summary>
    public int Blocks => blocks.Count;

    /// <inheritdoc/>
    /// <remarks>Every conv runs on s*s pixels per LR pixel; the fixed interpolation (4 taps per axis) and the two additions are
    /// counted too.</remarks>
    public override double FlopsPerLrPixel
    {
        get
        {
            double perHr = ConvFlops(1, filters) + blocks.Count * 2 * ConvFlops(filters, filters) + ConvFlops(filters, 1)
                + blocks.Count * filters + 1;
            return Scale * Scale * (perHr + InterpolatedInput.FlopsPerHrPixel);
        }
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor lr, out Tensor? gm)
    {
        gm = null;
        using var scope = NewDisposeScope();
        var up = interp.Upscale(lr);
        var h = ConvKernels.Prepare(head.Conv(up));
        foreach (var block in blocks)
        {
            var next = block.forward(h);
            // Without autograd nothing needs the previous activation: free it now (whole HR slices are large).
            if (!is_grad_enabled()) h.Dispose();
            h = next;
        }
        var sr = up + tail.Conv(h);
        return sr.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) interp.Dispose();
        base.Dispose(disposing);
    }
}
