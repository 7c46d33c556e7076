using System.Text.Json.Nodes;
using Dggrn.Model.Volumes;

namespace Dggrn.Worker.Cli;

/// <summary>`data phantom OUT.nii[.gz] --seed N [--grid XxYxZ]` and `data inspect PATH [--json]`.</summary>
public static class DataCommand
{
    /// <summary>Runs a data sub-command; returns the exit code.</summary>
    public static int Run(CliArgs a)
    {
        if (a.Positionals.Count < 2) throw new CliException("usage: data phantom OUT.nii.gz --seed N [--grid XxYxZ] | data inspect PATH [--json]");
        switch (a.Positionals[0])
        {
            case "phantom":
            {
                int seed = a.Int("seed") ?? throw new CliException("--seed: required");
                var grid = a.String("grid");
                a.RejectUnknown();
                var uri = $"phantom:seed={seed}" + (grid is null ? "" : $",grid={grid}");
                var v = Phantom.FromUri(uri);
                NiftiWriter.Write(a.Positionals[1], v);
                Console.WriteLine($"wrote {a.Positionals[1]}: {uri}, {v.Nx}x{v.Ny}x{v.Nz} at 1 mm");
                return 0;
            }
            case "inspect":
            {
                bool json = a.Flag("json");
                a.RejectUnknown();
                var path = a.Positionals[1];
                var v = VolumeLoader.Load(path);
                double min = v.Data.Min(), max = v.Data.Max(), mean = v.Data.Average();
                if (json)
                {
                    var o = new JsonObject
                    {
                        ["path"] = path, ["format"] = v.Format,
                        ["dims"] = new JsonArray(v.Nx, v.Ny, v.Nz),
                        ["voxelSize"] = new JsonArray(v.VoxelSize.Select(x => (JsonNode?)Math.Round(x, 6)).ToArray()),
                        ["dataType"] = v.DataType, ["min"] = min, ["max"] = max, ["mean"] = Math.Round(mean, 6),
                    };
                    Console.WriteLine(o.ToJsonString(EvalJson.Options));
                }
                else
                    Console.WriteLine($"{path}: {v.Format} {v.DataType} {v.Nx}x{v.Ny}x{v.Nz}, voxel {string.Join("x", v.VoxelSize.Select(x => x.ToString("G4")))} mm, min {min:G6} max {max:G6} mean {mean:G6}");
                return 0;
            }
            default: throw new CliException($"data: expected 'phantom' or 'inspect', found '{a.Positionals[0]}'");
        }
    }
}
