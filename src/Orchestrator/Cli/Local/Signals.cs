using System.Runtime.InteropServices;

namespace Dggrn.Orchestrator.Local;

/// <summary>POSIX signals to child processes (.NET's Process.Kill only sends SIGKILL).</summary>
public static partial class Signals
{
    const int SigTerm = 15;

    /// <summary>Asks a process to stop gracefully (SIGTERM); false when it is already gone.</summary>
    public static bool Terminate(int pid) => !OperatingSystem.IsWindows() && Kill(pid, SigTerm) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
