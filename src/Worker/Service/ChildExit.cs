namespace Dggrn.Worker.Service;

/// <summary>Words for how a trial process ended.</summary>
public static class ChildExit
{
    /// <summary>Describes an exit code; .NET reports death by signal N as 128 + N on Unix.</summary>
    public static string Describe(int code) => code switch
    {
        0 => "exited normally (code 0) without reporting an outcome",
        137 => "killed by signal 9 (SIGKILL): the out-of-memory killer or kill -9",
        139 => "killed by signal 11 (SIGSEGV): a native crash",
        134 => "killed by signal 6 (SIGABRT): a native abort",
        135 => "killed by signal 7 (SIGBUS): a native crash",
        136 => "killed by signal 8 (SIGFPE): a native arithmetic fault",
        143 => "killed by signal 15 (SIGTERM)",
        > 128 and < 160 => $"killed by signal {code - 128}",
        _ => $"exited with code {code}",
    };
}
