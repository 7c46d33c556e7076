using TorchSharp;
using static TorchSharp.torch;

namespace Dggrn.Model.Models;

/// <summary>A trainable single-image super-resolution network: LR batch (B, 1, h, w) in [0, 1] to SR batch (B, 1, sh, sw).</summary>
public abstract class SrNetwork(string name) : nn.Module<Tensor, Tensor>(name)
{
    /// <summary>Upscaling factor.</summary>
    public abstract int Scale { get; }

    /// <summary>Runs the network; <paramref name="gm"/> receives the gradient-modeling subnet's last maps where the network has one.</summary>
    public abstract Tensor Forward(Tensor lr, out Tensor? gm);

    /// <inheritdoc/>
    public override Tensor forward(Tensor lr) => Forward(lr, out _);

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Floating-point operations (2 per multiply-add) of one forward pass per LR pixel.</summary>
    public abstract double FlopsPerLrPixel { get; }

    /// <summary>Xavier-uniform weights and zero biases for every convolution (paper, section 4.2).</summary>
    protected void XavierInit()
    {
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("weight", StringComparison.Ordinal)) nn.init.xavier_uniform_(p);
            else nn.init.zeros_(p);
        }
    }

    /// <summary>2 * 9 * cin * cout: FLOPs of one 3x3 convolution per output pixel.</summary>
    protected static double ConvFlops(long cin, long cout) => 2.0 * 9 * cin * cout;
}
