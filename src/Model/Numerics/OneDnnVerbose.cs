using System.Runtime.InteropServices;

namespace Dggrn.Model.Numerics;

/// <summary>Which oneDNN kernels ran: captures oneDNN's verbose lines, which it prints to file descriptor 1 through C stdio, out
/// of .NET's reach, while an action runs.</summary>
/// <remarks>Anything else the process writes to stdout meanwhile is captured too; it is written back to the real stdout
/// afterwards, so nothing is lost, only delayed. One capture at a time per process.</remarks>
static partial class OneDnnVerbose
{
    static readonly Lock Gate = new();

    [LibraryImport("libc", SetLastError = true)] private static partial int dup(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int dup2(int fd, int fd2);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);
    [LibraryImport("libc")] private static partial int fflush(nint stream);

    /// <summary>The distinct convolution implementations oneDNN ran during <paramref name="action"/>, with their propagation kind
    /// ("jit:avx512_core backward_data"); empty when oneDNN ran none (the reference path) or prints nothing.</summary>
    public static IReadOnlyList<string> Convolutions(Action action)
    {
        if (!LibTorchNative.SetOneDnnVerbose(1)) { action(); return []; }
        try
        {
            // onednn_verbose,v1,primitive,exec,cpu,convolution,IMPL,PROP_KIND,...
            return [.. Capture(action).Select(l => l.Split(','))
                .Where(f => f.Length > 7 && f[2] == "primitive" && f[3] == "exec" && f[5] == "convolution")
                .Select(f => $"{f[6]} {f[7]}").Distinct().Order()];
        }
        // Back to what the user asked for (ONEDNN_VERBOSE=1 to profile keeps printing), else off.
        finally { LibTorchNative.SetOneDnnVerbose(int.TryParse(Environment.GetEnvironmentVariable("ONEDNN_VERBOSE"), out var level) ? level : 0); }
    }

    /// <summary>Runs <paramref name="action"/> with fd 1 sent to a temporary file; returns the oneDNN lines written there.</summary>
    static List<string> Capture(Action action)
    {
        lock (Gate)
        {
            var path = Path.Combine(Path.GetTempPath(), $"dggrn-stdout-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
            Console.Out.Flush();
            fflush(0);
            int saved = dup(1);
            if (saved < 0) { action(); return []; }
            try
            {
                using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                {
                    dup2((int)file.SafeFileHandle.DangerousGetHandle(), 1);
                    try { action(); }
                    finally
                    {
                        Console.Out.Flush();
                        fflush(0);
                        dup2(saved, 1);
                    }
                }
                var lines = File.ReadAllLines(path);
                var ours = lines.Where(l => l.StartsWith("onednn_verbose", StringComparison.Ordinal)).ToList();
                foreach (var other in lines.Where(l => !l.StartsWith("onednn_verbose", StringComparison.Ordinal))) Console.Out.WriteLine(other);
                Console.Out.Flush();
                return ours;
            }
            finally
            {
                close(saved);
                try { File.Delete(path); } catch (IOException) { }
            }
        }
    }
}
