using System.Diagnostics;
using Dggrn.Tests.Common;

namespace Dggrn.Model.Tests;

/// <summary>Runs the built dggrn-worker executable as `./dggrn train|eval|data|bench` does, capturing its output.</summary>
internal static class WorkerCli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var dll = Path.Combine(TestEnvironment.ProjectOutput("Dggrn.Worker", ridSpecific: true), "dggrn-worker.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"dggrn-worker {string.Join(' ', args)} did not finish in 3 minutes"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
