using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dggrn.Deploy.Tests.Model;
using Xunit;

namespace Dggrn.Deploy.Tests;

/// <summary>
/// tests/s3-target.sh, which lets the test command and the upload benchmark run against a MinIO named by MINIO_ENDPOINT
/// and its keys instead of the bundled s3rver. Run in a real bash with a real listening socket.
/// </summary>
public sealed class S3TargetScriptTests
{
    /// <summary>Sources the script with exactly <paramref name="env"/> (plus PATH) and prints what it exported.</summary>
    static (int Code, string Out, string Err) Run(Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Path(".") };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(". tests/s3-target.sh && s3_target_from_minio && echo \"${DGGRN_TEST_S3_ENDPOINT:-none}|${DGGRN_TEST_S3_ACCESS_KEY:-}|${DGGRN_TEST_S3_SECRET_KEY:-}\"");
        psi.Environment.Clear(); // tests/run.sh exports DGGRN_TEST_S3_* into this process; the script must see only what the case sets
        psi.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Trim(), err.Result.Trim());
    }

    [Fact]
    public void MinioEndpointAndRootCredentialsBecomeTheTestServer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var r = Run(new() { ["MINIO_ENDPOINT"] = $"http://127.0.0.1:{port}/", ["MINIO_ROOT_USER"] = "admin", ["MINIO_ROOT_PASSWORD"] = "pw-123" });
        Assert.Equal((0, $"127.0.0.1:{port}|admin|pw-123"), (r.Code, r.Out));
        // MINIO_ACCESS_KEY / MINIO_SECRET_KEY win over the root pair; a bare host:port works too.
        r = Run(new() { ["MINIO_ENDPOINT"] = $"127.0.0.1:{port}", ["MINIO_ACCESS_KEY"] = "ak", ["MINIO_SECRET_KEY"] = "sk", ["MINIO_ROOT_USER"] = "admin", ["MINIO_ROOT_PASSWORD"] = "pw" });
        Assert.Equal((0, $"127.0.0.1:{port}|ak|sk"), (r.Code, r.Out));
        // An explicit DGGRN_TEST_S3_ENDPOINT is left as it is.
        r = Run(new() { ["DGGRN_TEST_S3_ENDPOINT"] = "10.0.0.1:9000", ["MINIO_ENDPOINT"] = $"127.0.0.1:{port}", ["MINIO_ACCESS_KEY"] = "ak", ["MINIO_SECRET_KEY"] = "sk" });
        Assert.Equal((0, "10.0.0.1:9000||"), (r.Code, r.Out));
        // Nothing named: nothing exported, and the caller starts s3rver.
        Assert.Equal((0, "none||"), (Run([]).Code, Run([]).Out));
    }

    [Fact]
    public void AMisnamedServerFailsNamingWhatIsWrong()
    {
        // A port nobody listens on: bind one, note it, close it.
        int closed;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); closed = ((IPEndPoint)l.LocalEndpoint).Port; l.Stop(); }
        var keys = new Dictionary<string, string> { ["MINIO_ACCESS_KEY"] = "ak", ["MINIO_SECRET_KEY"] = "sk" };

        foreach (var (endpoint, withKeys, message) in new[]
                 {
                     ("https://127.0.0.1:9000", true, "the tests talk plain HTTP"),
                     ("s3://127.0.0.1:9000", true, "expected host:port or http://host:port"),
                     ("minio.local", true, "no port given"),
                     ($"127.0.0.1:{closed}", false, "set MINIO_ACCESS_KEY and MINIO_SECRET_KEY"),
                     ($"127.0.0.1:{closed}", true, $"nothing accepts connections at 127.0.0.1:{closed}"),
                 })
        {
            var env = withKeys ? new Dictionary<string, string>(keys) : [];
            env["MINIO_ENDPOINT"] = endpoint;
            var r = Run(env);
            Assert.True(r.Code == 1 && r.Out == "" && r.Err.Contains(message, StringComparison.Ordinal),
                $"MINIO_ENDPOINT={endpoint}: exit {r.Code}, out '{r.Out}', err '{r.Err}'");
        }
    }
}
