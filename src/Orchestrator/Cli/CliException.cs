namespace Dggrn.Orchestrator.Cli;

/// <summary>An error the user can act on: printed as one line (no stack trace) and mapped to an exit code.</summary>
public sealed class CliException(string message, int exitCode = 1, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Process exit code to return.</summary>
    public int ExitCode { get; } = exitCode;
}
