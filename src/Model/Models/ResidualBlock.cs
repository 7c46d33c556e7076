using Dggrn.Model.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dggrn.Model.Models;

/// <summary>conv-ReLU-conv residual block; when a guidance map G is given, the residual is multiplied by it (Z' = Z * G).</summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1, conv2;

    /// <summary>A block of <paramref name="filters"/> channels.</summary>
    public ResidualBlock(string name, long filters) : base(name)
    {
        conv1 = nn.Conv2d(filters, filters, 3, padding: 1);
        conv2 = nn.Conv2d(filters, filters, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>Plain residual block (ResNet baseline).</summary>
    public override Tensor forward(Tensor h) => Forward(h, null);

    /// <summary>Gradient-guided residual block when <paramref name="guide"/> is not null.</summary>
    public Tensor Forward(Tensor h, Tensor? guide)
    {
        using var a = conv1.Conv(h);
        using var r = nn.functional.relu(a);
        using var z = conv2.Conv(r);
        if (guide is null) return h + z;
        using var zg = z * guide;
        return h + zg;
    }
}
