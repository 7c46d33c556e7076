namespace Dggrn.Worker.Cli;

/// <summary>`bench`: throughput measurements (see docs/benchmarks/model.md).</summary>
public static class BenchCommand
{
    /// <summary>Runs a benchmark; returns the exit code.</summary>
    public static int Run(CliArgs a) => throw new CliException("bench: not built yet");
}
