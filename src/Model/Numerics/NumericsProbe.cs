namespace Dggrn.Model.Numerics;

/// <summary>A network whose float32 convolutions <see cref="NumericsCheck"/> compares with float64: the real model with its real
/// channel counts (a check on a 16 -> 16 conv passes on a CPU where the 1-channel tail or the 65-channel GM inputs are wrong).</summary>
/// <param name="Method">A trainable method of <see cref="Models.ModelRegistry"/>.</param>
/// <param name="Blocks">Residual blocks N.</param>
/// <param name="Filters">Filters K.</param>
/// <param name="Scale">Upscaling factor.</param>
/// <param name="Batch">Patches per forward and backward pass.</param>
/// <param name="Patch">LR patch side.</param>
public sealed record NumericsProbe(string Method, int Blocks, int Filters, int Scale, int Batch = 8, int Patch = 12)
{
    /// <summary>"dggrn N=2 K=8 x3".</summary>
    public override string ToString() => $"{Method} N={Blocks} K={Filters} x{Scale}";

    /// <summary>What a worker checks at start for every trial it may run: each network, with filter counts that are and are
    /// not multiples of oneDNN's 8- and 16-channel blocks (K = 8 gives GM inputs 9, 17, 25; K = 64 gives 65, 129, 193 and a
    /// 1024-channel upscaling conv at x4), and a x3 pixel shuffle (72 channels at K = 8).</summary>
    public static IReadOnlyList<NumericsProbe> Startup { get; } =
    [
        new("dggrn", 1, 8, 3), new("dggrn", 1, 64, 4, Batch: 4), new("resnet", 1, 8, 2), new("scsr", 1, 8, 2), new("recnn", 1, 8, 2),
    ];
}
