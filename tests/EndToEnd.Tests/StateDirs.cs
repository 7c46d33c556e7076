namespace Dggrn.EndToEnd.Tests;

/// <summary>Temporary local-mode state directories.</summary>
public static class StateDirs
{
    /// <summary>A new directory under /tmp the 'postgres' user can traverse (the private server runs as postgres when tests run as root).</summary>
    public static string Create()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"dggrn-e2e-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101); // local mode is Linux-only anyway
        return dir;
    }
}
