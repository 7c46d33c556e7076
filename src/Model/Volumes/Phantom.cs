using System.Globalization;

namespace Dggrn.Model.Volumes;

/// <summary>A deterministic synthetic T2-like brain phantom: scalp, skull shell, CSF, folded grey matter, white matter,
/// ventricles, partial-volume edges and Rician noise inside the head, at 1 mm on a configurable grid.</summary>
/// <remarks>The same (seed, grid) always gives the same voxels: shapes come from seeded fold phases and the noise from
/// <see cref="System.Random"/> with a fixed seed (its seeded sequence is stable across .NET versions).</remarks>
public static class Phantom
{
    /// <summary>Default grid: small enough that the CPU smoke preset trains in seconds per epoch.</summary>
    public static readonly (int X, int Y, int Z) DefaultGrid = (64, 72, 60);

    /// <summary>True when <paramref name="source"/> is a "phantom:..." URI.</summary>
    public static bool IsPhantomUri(string source) => source.StartsWith("phantom:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses "phantom:seed=N[,grid=XxYxZ]" and generates the volume.</summary>
    public static Volume FromUri(string uri)
    {
        int? seed = null;
        var grid = DefaultGrid;
        foreach (var part in uri["phantom:".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) throw new VolumeFormatException($"{uri}: '{part}': expected key=value (seed=N or grid=XxYxZ)");
            switch (kv[0].ToLowerInvariant())
            {
                case "seed" when int.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s): seed = s; break;
                case "grid":
                    var d = kv[1].Split('x');
                    if (d.Length != 3 || !d.All(x => int.TryParse(x, out var n) && n >= 16 && n <= 512))
                        throw new VolumeFormatException($"{uri}: grid: expected XxYxZ with sizes 16..512, found '{kv[1]}'");
                    grid = (int.Parse(d[0], CultureInfo.InvariantCulture), int.Parse(d[1], CultureInfo.InvariantCulture), int.Parse(d[2], CultureInfo.InvariantCulture));
                    break;
                default: throw new VolumeFormatException($"{uri}: '{part}': expected seed=<integer> or grid=XxYxZ");
            }
        }
        if (seed is null) throw new VolumeFormatException($"{uri}: seed: expected seed=<integer>, found none");
        return Generate(seed.Value, grid.X, grid.Y, grid.Z);
    }

    /// <summary>Generates the phantom for <paramref name="seed"/> on an nx x ny x nz grid of 1 mm voxels.</summary>
    public static Volume Generate(int seed, int nx, int ny, int nz)
    {
        var rng = new Random(seed);
        double R() => rng.NextDouble();
        // Subject variation: head size/shape, fold phases and frequencies, ventricle size.
        double ax = 0.44 + 0.03 * R(), ay = 0.45 + 0.03 * R(), az = 0.44 + 0.03 * R();
        var folds = Enumerable.Range(0, 6).Select(_ => (f1: 5 + rng.Next(6), f2: 4 + rng.Next(6), p1: 6.283 * R(), p2: 6.283 * R(), amp: 0.02 + 0.03 * R())).ToArray();
        double vent = 0.13 + 0.04 * R();
        double cx = (nx - 1) / 2.0, cy = (ny - 1) / 2.0, cz = (nz - 1) / 2.0;
        double voxelR = 1.0 / Math.Min(nx * ax, Math.Min(ny * ay, nz * az)); // one voxel in normalised radius units
        const double Csf = 1.0, Gm = 0.58, Wm = 0.38, Bone = 0.04, Scalp = 0.32, Sigma = 0.02;
        var data = new double[(long)nx * ny * nz];
        for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
        {
            double x = (i - cx) / (nx * ax), y = (j - cy) / (ny * ay), z = (k - cz) / (nz * az);
            double r = Math.Sqrt(x * x + y * y + z * z);
            double theta = Math.Atan2(y, x), phi = Math.Acos(r > 0 ? Math.Clamp(z / r, -1, 1) : 1);
            double fold = 0, deep = 0;
            for (int f = 0; f < folds.Length; f++)
            {
                var (f1, f2, p1, p2, amp) = folds[f];
                double w = Math.Sin(f1 * theta + p1) * Math.Sin(f2 * phi + p2);
                fold += amp * w;
                deep += 1.6 * amp * Math.Abs(w);
            }
            double brain = 0.80 * (1 + 0.3 * fold), white = 0.60 * (1 + fold) - 0.075 * deep; // deep folds push white matter inwards
            // Fractions with about one voxel of partial volume at each boundary.
            double In(double boundary) => Math.Clamp(0.5 + (boundary - r) / voxelR, 0, 1);
            double head = In(1.0), skull = In(0.93), csfOuter = In(0.86), gm = In(brain), wm = In(white);
            double vx = x / 0.9, vy = (Math.Abs(y) - 0.12) / 0.6, vz = z / 0.9;
            double ventricle = Math.Clamp(0.5 + (vent - Math.Sqrt(vx * vx + vy * vy * 0.25 + vz * vz * 4)) / voxelR, 0, 1);
            double v = (head - skull) * Scalp + (skull - csfOuter) * Bone + (csfOuter - gm) * Csf + (gm - wm) * Gm + wm * Wm;
            v = v * (1 - ventricle * wm) + ventricle * wm * Csf;
            // Rician noise: magnitude of the signal plus complex Gaussian noise.
            // Noise only inside the head (as in masked acquisitions), so the background stays 0 and dggrn-v1 skips empty slices.
            double n1 = Gauss(rng) * Sigma * head, n2 = Gauss(rng) * Sigma * head;
            data[i + (long)nx * (j + (long)ny * k)] = Math.Sqrt((v + n1) * (v + n1) + n2 * n2);
        }
        return new Volume(nx, ny, nz, data, [1, 1, 1], "phantom", "float64");
    }

    static double Gauss(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
