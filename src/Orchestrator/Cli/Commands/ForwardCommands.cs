using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Dggrn.Orchestrator.Local;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>
/// `dggrn train|eval|data|numerics ...`: the model commands live in the worker executable (the orchestrator never loads
/// TorchSharp), so the CLI runs it as a child with the same arguments and inherited stdio and returns its exit code.
/// `dggrn bench ...` runs the benchmarks' own executable (dggrn-bench, built beside the product, outside it) the same way.
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
        "numerics" => "Check float32 convolutions against float64 on this machine (dggrn-worker numerics)",
        _ => "Benchmarks: train, checkpoint, classical, orchestrator, store-upload (dggrn-bench; see docs/benchmarks.md)",
    }) { TreatUnmatchedTokensAsErrors = false });

    /// <summary>Runs a forwarded command.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var (dll, what) = args is ["bench", ..] ? (ProductPaths.BenchDll, "benchmark") : (ProductPaths.WorkerDll, "worker");
        if (!File.Exists(dll))
            throw new CliException($"the {what} executable {dll} is missing; build the product (./dggrn builds it)");
        if (args is ["bench", ..]) args = args[1..];
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi) ?? throw new CliException($"could not start the {what} executable");
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
}
