using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dggrn.Tests.Common;

namespace Dggrn.Worker.Tests;

/// <summary>A private s3rver (the repository's patched install) that a test may stop and start again on the same port and data.</summary>
public sealed class S3rverProcess : IDisposable
{
    readonly string _script = Path.Combine(TestEnvironment.RepoRoot, "deploy", "local", ".tools", "node_modules", "s3rver", "bin", "s3rver.js");
    Process? _process;

    public S3rverProcess()
    {
        if (!File.Exists(_script))
            throw new FileNotFoundException($"s3rver is not installed at {_script}: run deploy/local/install-deps.sh (tests/run.sh does)", _script);
        DataDirectory = Directory.CreateTempSubdirectory("dggrn-s3rver-").FullName;
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        Port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
    }

    public int Port { get; }
    public string DataDirectory { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    public void Start()
    {
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--openssl-legacy-provider", _script, "-d", DataDirectory, "-a", "127.0.0.1", "-p", Port.ToString(), "-s" })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited) { Thread.Yield(); }
            catch (SocketException)
            {
                throw new InvalidOperationException($"s3rver did not start on port {Port} (exited: {_process.HasExited})");
            }
        }
    }

    /// <summary>Kills the server abruptly (as a crash or restart would).</summary>
    public void Kill()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Kill();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
