using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dggrn.Tests.Common;

namespace Dggrn.Worker.Tests.Fixtures;

/// <summary>A PostgreSQL server of this test's own (deploy/local/postgres.sh), so the test may stop and start it.</summary>
public sealed class PrivatePostgres : IDisposable
{
    readonly string _script = Path.Combine(TestEnvironment.RepoRoot, "deploy", "local", "postgres.sh");
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"dggrn-wpg-{Guid.NewGuid():N}");

    public PrivatePostgres()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        Port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=3;Command Timeout=10";

    public void Start() => Run("start", _dir, Port.ToString(), "test");

    public void Stop() => Run("stop", _dir);

    void Run(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(_script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"postgres.sh {string.Join(' ', args)} failed ({p.ExitCode}): {err}");
    }

    public void Dispose()
    {
        try { Stop(); } catch (InvalidOperationException) { }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
