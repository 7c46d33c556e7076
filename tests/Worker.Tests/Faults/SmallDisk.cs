using System.Diagnostics;

namespace Dggrn.Worker.Tests.Faults;

/// <summary>A size-limited folder: a tmpfs of <paramref name="megabytes"/> MiB mounted for the test (needs root; fails loudly otherwise).</summary>
public sealed class SmallDisk : IDisposable
{
    readonly List<string> _fillers = [];

    public SmallDisk(int megabytes = 2)
    {
        Path = Directory.CreateTempSubdirectory("dggrn-small-disk-").FullName;
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", Path);
        if (code != 0)
        {
            Directory.Delete(Path);
            throw new InvalidOperationException($"could not mount a {megabytes} MiB tmpfs at {Path} (the disk-full tests need root for `mount -t tmpfs`): {output}");
        }
    }

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>Writes filler files until the filesystem refuses another byte.</summary>
    public void Fill()
    {
        var filler = System.IO.Path.Combine(Path, $"filler-{_fillers.Count}");
        _fillers.Add(filler);
        var chunk = new byte[64 << 10];
        using var fs = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true) fs.Write(chunk);
        }
        catch (IOException)
        {
            // Byte by byte for the last partial chunk, so not even a small metadata file fits.
            try { while (true) fs.Write(chunk, 0, 1); }
            catch (IOException) { }
        }
    }

    /// <summary>Deletes the fillers: space returns.</summary>
    public void Free()
    {
        foreach (var f in _fillers) File.Delete(f);
        _fillers.Clear();
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Trim());
    }
}
