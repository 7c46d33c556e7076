using System.Diagnostics;
using Dggrn.Tests.Common;

namespace Dggrn.Model.Tests;

/// <summary>Runs the built executables as `./dggrn train|eval|data|numerics` (dggrn-worker) and `./dggrn bench` (dggrn-bench) do,
/// capturing their output.</summary>
internal static class WorkerCli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (project, exe) = args is ["bench", ..] ? ("Dggrn.Benchmarks", "dggrn-bench.dll") : ("Dggrn.Worker", "dggrn-worker.dll");
        var dll = Path.Combine(TestEnvironment.ProjectOutput(project, ridSpecific: true), exe);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in args.SkipWhile((a, i) => i == 0 && a == "bench")) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"dggrn-worker {string.Join(' ', args)} did not finish in 3 minutes"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
