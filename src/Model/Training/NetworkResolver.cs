using Dggrn.Model.Models;
using Dggrn.Model.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Dggrn.Model.Training;

/// <summary>Runs a network over whole LR slices (batched, no gradients) and returns SR slices clipped to [0, 1].</summary>
public static class NetworkResolver
{
    /// <summary>Slices per forward pass during evaluation.</summary>
    const int Chunk = 8;

    /// <summary>Super-resolves slices that share one shape.</summary>
    public static IReadOnlyList<Image2D> Resolve(SrNetwork net, Device device, IReadOnlyList<SlicePair> slices)
    {
        var result = new List<Image2D>(slices.Count);
        using var noGrad = no_grad();
        for (int start = 0; start < slices.Count; start += Chunk)
        {
            using var scope = NewDisposeScope();
            var part = slices.Skip(start).Take(Chunk).ToList();
            int h = part[0].Lr.Height, w = part[0].Lr.Width, s = net.Scale;
            var buf = new float[part.Count * h * w];
            for (int n = 0; n < part.Count; n++)
                for (int i = 0; i < h * w; i++) buf[n * h * w + i] = (float)part[n].Lr.Data[i];
            var input = tensor(buf, [part.Count, 1, h, w]).to(device);
            var sr = net.Forward(input, out _).clamp(0, 1).cpu();
            var values = sr.data<float>().ToArray();
            int H = h * s, W = w * s;
            for (int n = 0; n < part.Count; n++)
            {
                var d = new double[H * W];
                for (int i = 0; i < d.Length; i++) d[i] = values[n * H * W + i];
                result.Add(new Image2D(H, W, d));
            }
        }
        return result;
    }

    /// <summary>SR slice and a tiled image of up to 16 GM maps (null for networks without a GM subnet) for one slice.</summary>
    public static (Image2D Sr, Image2D? Gm) ResolveWithGm(SrNetwork net, Device device, SlicePair slice)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int h = slice.Lr.Height, w = slice.Lr.Width, s = net.Scale;
        var input = tensor(slice.Lr.Data.Select(v => (float)v).ToArray(), [1, 1, h, w]).to(device);
        var sr = net.Forward(input, out var gm).clamp(0, 1).cpu().data<float>().ToArray();
        var srImg = new Image2D(h * s, w * s, sr.Select(v => (double)v).ToArray());
        if (gm is null) return (srImg, null);
        var maps = gm.cpu().data<float>().ToArray();
        int k = (int)Math.Min(16, gm.shape[1]), cols = 4, rows = (k + cols - 1) / cols;
        var tile = new Image2D(rows * h, cols * w);
        for (int m = 0; m < k; m++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) tile[(m / cols) * h + y, (m % cols) * w + x] = maps[(m * h + y) * w + x];
        return (srImg, tile);
    }
}
