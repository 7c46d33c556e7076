using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Dggrn.Orchestrator.Local;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>
/// `dggrn train|eval|data|bench ...`: the model commands live in the worker executable (the orchestrator never loads
/// TorchSharp), so the CLI runs it as a child with the same arguments and inherited stdio and returns its exit code.
/// `bench orchestrator ...` runs the orchestrator's own benchmark in this process.
/// </summary>
public static class ForwardCommands
{
    /// <summary>The forwarded command names.</summary>
    public static readonly string[] Names = ["train", "eval", "data", "bench", "numerics"];

    /// <summary>Stub commands so `dggrn --help` lists them; their arguments are parsed by the worker.</summary>
    public static IEnumerable<Command> Create() => Names.Select(n => new Command(n, n switch
    {
        "train" => "Train one method locally (runs dggrn-worker train; see `dggrn train --help`)",
        "eval" => "Evaluate a method or checkpoint on a volume (dggrn-worker eval)",
        "data" => "Inspect volumes, make phantoms (dggrn-worker data)",
        _ => "Benchmarks: model ones run in dggrn-worker; `bench orchestrator` runs the scheduler benchmark",
    }) { TreatUnmatchedTokensAsErrors = false });

    /// <summary>Runs a forwarded command.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["bench", "orchestrator", ..]) return await RunOrchestratorBenchmarkAsync(args[2..]);
        var dll = ProductPaths.WorkerDll;
        if (!File.Exists(dll))
            throw new CliException($"the worker executable {dll} is missing; build the product (./dggrn builds it)");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi) ?? throw new CliException("could not start the worker executable");
        // Ctrl+C reaches the child through the terminal's process group; SIGTERM sent to us is passed on.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            Signals.Terminate(child.Id);
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    /// <summary>`bench orchestrator`: the scheduler/ingest benchmark runs in this process (no TorchSharp needed).</summary>
    static Task<int> RunOrchestratorBenchmarkAsync(string[] args) => Bench.OrchestratorBenchmark.RunAsync(args);
}
