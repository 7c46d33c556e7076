using Dggrn.Model.Volumes;

namespace Dggrn.Model.Pipeline;

/// <summary>One kept slice: the normalised, modcropped HR slice and its degraded LR version.</summary>
public sealed record SlicePair(int Volume, int Axis, int Index, Image2D Hr, Image2D Lr);

/// <summary>dggrn-v1 steps 2 to 5 over whole volumes.</summary>
public static class SlicePairs
{
    /// <summary>All kept slices of <paramref name="volume"/> on <paramref name="axes"/>, in axis then index order.</summary>
    public static List<SlicePair> Build(Volume volume, int volumeIndex, int scale, IEnumerable<int> axes)
    {
        var list = new List<SlicePair>();
        foreach (var axis in axes)
            for (int n = 0; n < volume.Dim(axis); n++)
            {
                var norm = Degradation.Normalise(Slicer.Slice(volume, axis, n));
                if (norm is null) continue;
                var hr = Degradation.Modcrop(norm, scale);
                if (hr.Height < 11 || hr.Width < 11) continue; // smaller than the SSIM window
                list.Add(new SlicePair(volumeIndex, axis, n, hr, Degradation.Degrade(hr, scale)));
            }
        return list;
    }
}
