using Dggrn.Model.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dggrn.Model.Models;

/// <summary>The DGGRN gradient path: Sobel magnitude of the LR input, eq. 6 normalisation 1 / (1 + e^-G), then four densely
/// connected 3x3 convolutions (layer i sees the normalised map and all earlier outputs), ReLU after the first three and a
/// sigmoid after the last, giving K guidance maps in [0, 1].</summary>
public sealed class GradientModelingNet : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<Conv2d> layers = new();

    /// <summary>A GM subnet with <paramref name="filters"/> maps per layer.</summary>
    public GradientModelingNet(string name, long filters) : base(name)
    {
        for (int i = 0; i < 4; i++) layers.Add(nn.Conv2d(1 + i * filters, filters, 3, padding: 1));
        var k = new float[] { -1, 0, 1, -2, 0, 2, -1, 0, 1, /* y: */ -1, -2, -1, 0, 0, 0, 1, 2, 1 };
        register_buffer("sobel", tensor(k, [2, 1, 3, 3]), persistent: false);
        RegisterComponents();
    }

    /// <summary>The normalised gradient map g = sigmoid(|Sobel(x)|), edges replicated.</summary>
    public Tensor NormalisedGradient(Tensor x)
    {
        using var scope = NewDisposeScope();
        var padded = nn.functional.pad(x, [1, 1, 1, 1], PaddingModes.Replicate);
        // TorchSharp's Module.to(dtype) leaves non-persistent buffers as they were: follow the input's dtype and device here.
        var g = nn.functional.conv2d(padded, get_buffer("sobel")!.to(padded.dtype, padded.device));
        var mag = (g * g).sum(1, keepdim: true).sqrt();
        return sigmoid(mag).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var feats = new List<Tensor> { NormalisedGradient(x) };
        for (int i = 0; i < 4; i++)
        {
            var input = feats.Count == 1 ? feats[0] : cat(feats, 1);
            var y = layers[i].Conv(input);
            feats.Add(i < 3 ? nn.functional.relu(y) : sigmoid(y));
        }
        return feats[^1].MoveToOuterDisposeScope();
    }
}
