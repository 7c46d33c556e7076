using Dggrn.Model.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dggrn.Model.Models;

/// <summary>DGGRN (gradient-guided) and its ResNet baseline: head conv, N residual blocks (guided by the GM subnet's maps
/// in DGGRN), conv to K*s*s channels + PixelShuffle(s), conv to one channel. All work at LR resolution until the upscaling;
/// no global skip connection.</summary>
public sealed class GuidedResNet : SrNetwork
{
    readonly Conv2d head, up, tail;
    readonly ModuleList<ResidualBlock> blocks = new();
    readonly PixelShuffle shuffle;
    readonly GradientModelingNet? gm;
    readonly int scale;
    readonly long filters;

    /// <summary>Builds the network; weights come from torch's current generator (seed it first for determinism).</summary>
    public GuidedResNet(bool guided, int blocks, long filters, int scale) : base(guided ? "dggrn" : "resnet")
    {
        if (blocks < 1) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "at least one residual block");
        if (scale < 2 || scale > 4) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be 2, 3 or 4");
        this.scale = scale;
        this.filters = filters;
        if (guided) gm = new GradientModelingNet("gm", filters);
        head = nn.Conv2d(1, filters, 3, padding: 1);
        for (int i = 0; i < blocks; i++) this.blocks.Add(new ResidualBlock($"block{i}", filters));
        up = nn.Conv2d(filters, filters * scale * scale, 3, padding: 1);
        shuffle = nn.PixelShuffle(scale);
        tail = nn.Conv2d(filters, 1, 3, padding: 1);
        RegisterComponents();
        XavierInit();
    }

    /// <inheritdoc/>
    public override int Scale => scale;

    /// <inheritdoc/>
    public override double FlopsPerLrPixel
    {
        get
        {
            double f = ConvFlops(1, filters) + blocks.Count * 2 * ConvFlops(filters, filters) + ConvFlops(filters, filters * scale * scale)
                + scale * scale * ConvFlops(filters, 1);
            if (gm is not null)
                f += 2 * 9 * 2 + Enumerable.Range(0, 4).Sum(i => ConvFlops(1 + i * filters, filters)) + blocks.Count * filters;
            return f;
        }
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor lr, out Tensor? gmMaps)
    {
        using var scope = NewDisposeScope();
        var guide = gm?.forward(lr);
        // In the conv path's layout from here on, so the residual additions keep it and no block converts again.
        var h = ConvKernels.Prepare(head.Conv(lr));
        foreach (var block in blocks)
        {
            var next = block.Forward(h, guide);
            // Without autograd nothing needs the previous activation: free it now, so evaluating whole slices holds a few
            // feature maps at a time instead of all 2N + 1 of them until the scope ends.
            if (!is_grad_enabled()) h.Dispose();
            h = next;
        }
        var sr = tail.Conv(shuffle.forward(up.Conv(h)));
        gmMaps = guide?.MoveToOuterDisposeScope();
        return sr.MoveToOuterDisposeScope();
    }
}
