namespace Dggrn.Model.Pipeline;

/// <summary>Cuts HR/LR training patch pairs (LR P x P, HR Ps x Ps) from kept slices, with seeded per-step augmentation.</summary>
/// <remarks>Every random choice is a pure function of (seed, epoch, step), so a run resumed at any step sees exactly the same
/// batches as an uninterrupted one. Augmentation flips/rotates the whole HR slice and degrades that (the LR patch is blurred
/// and decimated from the transformed HR slice), so LR/HR registration stays exactly as dggrn-v1 step 5 defines it.</remarks>
public sealed class PatchSampler
{
    readonly IReadOnlyList<SlicePair> slices;
    readonly (int Slice, int R, int C)[] patches;
    readonly int scale, size, seed;
    readonly bool augment;
    readonly double elastic;
    static readonly double[] Taps = Degradation.GaussianTaps();

    /// <summary>Indexes every patch position on a stride grid; patches that are almost all background are left out.</summary>
    public PatchSampler(IReadOnlyList<SlicePair> slices, int scale, int patchSize, int stride, int seed, bool augment, double elasticProbability)
    {
        this.slices = slices; this.scale = scale; size = patchSize; this.seed = seed; this.augment = augment; elastic = elasticProbability;
        var list = new List<(int, int, int)>();
        int hp = patchSize * scale;
        for (int n = 0; n < slices.Count; n++)
        {
            var hr = slices[n].Hr;
            for (int r = 0; (r + patchSize) * scale <= hr.Height; r += stride)
                for (int c = 0; (c + patchSize) * scale <= hr.Width; c += stride)
                {
                    int bright = 0;
                    for (int y = 0; y < hp; y++) for (int x = 0; x < hp; x++) if (hr[r * scale + y, c * scale + x] > 0.1) bright++;
                    if (bright >= 0.1 * hp * hp) list.Add((n, r, c));
                }
        }
        patches = list.ToArray();
    }

    /// <summary>Number of indexed patches.</summary>
    public int Count => patches.Length;

    /// <summary>A deterministic mixing of integers (HashCode.Combine is randomised per process, so it cannot be used).</summary>
    public static int Mix(params long[] values)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (var v in values) { h ^= (ulong)v + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2); h *= 0xBF58476D1CE4E5B9UL; h ^= h >> 31; }
        return (int)(h & 0x7FFFFFFF);
    }

    /// <summary>The epoch's patch order (a seeded permutation).</summary>
    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, patches.Length).ToArray();
        new Random(Mix(seed, epoch, 1)).Shuffle(order);
        return order;
    }

    /// <summary>Fills the batch for <paramref name="step"/> of <paramref name="epoch"/>: lr (B*P*P) and hr (B*Ps*Ps) row-major.</summary>
    public void Fill(int[] order, int epoch, int step, int batch, float[] lr, float[] hr)
    {
        var rng = new Random(Mix(seed, epoch, step, 2));
        int hp = size * scale;
        for (int b = 0; b < batch; b++)
        {
            var (sl, r, c) = patches[order[(int)(((long)step * batch + b) % order.Length)]];
            int t = augment ? rng.Next(8) : 0;
            bool warp = elastic > 0 && rng.NextDouble() < elastic;
            var field = warp ? ElasticField.Random(rng, hp) : null;
            var view = new View(slices[sl].Hr, t, r * scale, c * scale, hp, field);
            for (int y = 0; y < hp; y++)
                for (int x = 0; x < hp; x++) hr[(b * hp + y) * hp + x] = (float)view.Get(y, x);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    double acc = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++) acc += Taps[dy + 1] * Taps[dx + 1] * view.Get(y * scale + dy, x * scale + dx);
                    lr[(b * size + y) * size + x] = (float)acc;
                }
        }
    }

    /// <summary>The transformed (and optionally warped) HR slice seen from one patch's top-left corner.</summary>
    readonly struct View
    {
        readonly Image2D img;
        readonly int t, top, left, th, tw;
        readonly ElasticField? field;

        public View(Image2D img, int t, int r, int c, int p, ElasticField? field)
        {
            this.img = img; this.t = t; this.field = field;
            (th, tw) = Dihedral.Size(t, img.Height, img.Width);
            // The original box [r, r+p) x [c, c+p) maps to a box in the transformed slice; find its top-left corner.
            var a = Dihedral.Forward(t, img.Height, img.Width, r, c);
            var b = Dihedral.Forward(t, img.Height, img.Width, r + p - 1, c + p - 1);
            top = Math.Min(a.Y, b.Y); left = Math.Min(a.X, b.X);
        }

        /// <summary>Pixel (y, x) relative to the patch corner; edges of the slice are replicated.</summary>
        public double Get(int y, int x)
        {
            if (field is null) return At(top + y, left + x);
            var (dy, dx) = field.At(y, x);
            double fy = top + y + dy, fx = left + x + dx;
            int y0 = (int)Math.Floor(fy), x0 = (int)Math.Floor(fx);
            double wy = fy - y0, wx = fx - x0;
            return (1 - wy) * ((1 - wx) * At(y0, x0) + wx * At(y0, x0 + 1)) + wy * ((1 - wx) * At(y0 + 1, x0) + wx * At(y0 + 1, x0 + 1));
        }

        double At(int y, int x)
        {
            var (oy, ox) = Dihedral.Inverse(t, img.Height, img.Width, Math.Clamp(y, 0, th - 1), Math.Clamp(x, 0, tw - 1));
            return img[oy, ox];
        }
    }
}
