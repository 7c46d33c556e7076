using System.Globalization;
using Dggrn.Model.Training;

namespace Dggrn.Worker.Cli;

/// <summary>Local checkpoint files: epoch-EEE.ckpt at epoch ends, epoch-EEE-partial.ckpt when interrupted mid-epoch.</summary>
public static class CheckpointFiles
{
    /// <summary>Writes atomically (temporary file, flush to disk, rename) and returns the path.</summary>
    public static string Write(string dir, CheckpointBlob c)
    {
        Directory.CreateDirectory(dir);
        var name = string.Create(CultureInfo.InvariantCulture, $"epoch-{c.Epoch:D3}{(c.EndOfEpoch ? "" : "-partial")}.ckpt");
        var path = Path.Combine(dir, name);
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            f.Write(c.Data);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    /// <summary>The checkpoint in <paramref name="dir"/> with the highest global step, or null when there is none.</summary>
    public static string? Newest(string dir) =>
        Directory.Exists(dir)
            ? Directory.GetFiles(dir, "*.ckpt")
                .Select(p => (p, h: CheckpointCodec.ReadHeader(File.ReadAllBytes(p), p)))
                .OrderByDescending(x => x.h.GlobalStep).ThenByDescending(x => x.h.StepInEpoch == 0)
                .Select(x => x.p).FirstOrDefault()
            : null;
}
