using System.Diagnostics;
using System.Text.Json;
using Dggrn.Contracts.Api;
using Dggrn.Worker.Service;

namespace Dggrn.Worker.Numerics;

/// <summary>The worker's start-up numerics self-check, run as `dggrn-worker numerics --json` in a child process at the thread
/// count its trials will use: the worker process itself never loads libtorch (a native fault there would take every trial
/// down), and each device gets a fresh process, as each trial does.</summary>
public static class StartupNumerics
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Checks every device; returns the first failed check, else the first device's.</summary>
    public static async Task<NumericsInfo> CheckAsync(IReadOnlyList<DeviceInfo> devices, Func<DeviceInfo, int> threads,
        IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        NumericsInfo? first = null;
        foreach (var d in devices)
        {
            var info = await CheckAsync(d.Name, threads(d), environment, ct);
            if (!info.Passed) return info;
            first ??= info;
        }
        return first!;
    }

    static async Task<NumericsInfo> CheckAsync(string device, int threads, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var (file, prefix) = TrialSupervisor.ChildCommand();
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "numerics", "--json", "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--device", device })
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Timeout);
        try { await p.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            if (ct.IsCancellationRequested) throw;
            return Failed(device, threads, $"numerics: the self-check on {device} did not finish within {Timeout.TotalMinutes:0} minutes");
        }
        var json = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (json is not null)
        {
            try
            {
                if (JsonSerializer.Deserialize<NumericsInfo>(json, WireJson.Options) is { } info) return info;
            }
            catch (JsonException) { }
        }
        var why = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
        return Failed(device, threads, $"numerics: the self-check on {device} exited with code {p.ExitCode} without a result: {why}");
    }

    /// <summary>A failed check for a run that produced no report (crash, timeout).</summary>
    static NumericsInfo Failed(string device, int threads, string reason) =>
        new(false, null, threads, device, double.PositiveInfinity, 1e-3, Environment.MachineName, null, null, null, "unknown", "unknown", null, null,
            [], [], [], reason, 0, DateTimeOffset.UtcNow);
}
