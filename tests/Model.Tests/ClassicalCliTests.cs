using System.Text.Json;
using Dggrn.Tests.Common;
using Xunit;

namespace Dggrn.Model.Tests;

/// <summary>`dggrn-worker eval` and `bench classical` for the classical methods and the --checkpoint form, run as a child
/// process like `./dggrn eval` runs them.</summary>
public sealed class ClassicalCliTests : IDisposable
{
    const string Volume = "phantom:seed=2,grid=32x36x16";
    readonly string dir = Directory.CreateTempSubdirectory("dggrn-classical-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static (int Code, string Out, string Err) Run(params string[] args) => WorkerCli.Run(args);

    static double Psnr(string json) => JsonDocument.Parse(json).RootElement.GetProperty("overall").GetProperty("psnr").GetDouble();

    [Fact]
    public void EvalRunsNmuAndLrtvWithParametersAndBeatsBicubic()
    {
        var (code, bicubic, err) = Run("eval", "--method", "bicubic", "--volume", Volume, "--scale", "2", "--axes", "2", "--json");
        Assert.True(code == 0, err);
        var outputs = new Dictionary<string, string>();
        foreach (var method in new[] { "nmu", "lrtv" })
        {
            (code, var output, err) = Run("eval", "--method", method, "--volume", Volume, "--scale", "2", "--axes", "2", "--threads", "2", "--json");
            outputs[method] = output;
            Assert.True(code == 0, err);
            var e = JsonDocument.Parse(output).RootElement;
            Assert.Equal(method, e.GetProperty("method").GetString());
            Assert.Equal(JsonDocument.Parse(bicubic).RootElement.GetProperty("overall").GetProperty("slices").GetInt32(),
                e.GetProperty("overall").GetProperty("slices").GetInt32());
            Assert.True(Psnr(output) > Psnr(bicubic), $"{method} {Psnr(output)} vs bicubic {Psnr(bicubic)}");
        }
        // A parameter reaches the method: one NMU iteration gives a different result from the default run to convergence.
        (code, var one, err) = Run("eval", "--method", "nmu", "--volume", Volume, "--scale", "2", "--axes", "2", "--param", "maxIterations=1", "--json");
        Assert.True(code == 0, err);
        Assert.NotEqual(Psnr(outputs["nmu"]), Psnr(one));
    }

    [Fact]
    public void EvalRefusesBadParametersAndMisusedCheckpoints()
    {
        var (code, _, err) = Run("eval", "--method", "lrtv", "--volume", Volume, "--scale", "2", "--param", "rho=0");
        Assert.Equal(2, code);
        Assert.Contains("lrtv.rho: expected a number in [1E-06, 100]", err);
        (code, _, err) = Run("eval", "--method", "nmu", "--volume", Volume, "--scale", "2", "--param", "patchRadius");
        Assert.Equal(2, code);
        Assert.Contains("--param: expected NAME=NUMBER", err);
        (code, _, err) = Run("eval", "--method", "nmu", "--volume", Volume);
        Assert.Equal(2, code);
        Assert.Contains("--scale: required for nmu", err);
        (code, _, err) = Run("eval", "--method", "bicubic", "--checkpoint", "x.ckpt", "--volume", Volume, "--scale", "2");
        Assert.Equal(2, code);
        Assert.Contains("bicubic is not trained", err);
        (code, _, err) = Run("eval", "--method", "resnet", "--checkpoint", Path.Combine(dir, "none.ckpt"), "--volume", Volume);
        Assert.Equal(2, code);
        Assert.Contains("--checkpoint: expected an existing checkpoint file", err);
    }

    [Fact]
    public void CheckpointOptionMatchesTheOlderFormAndChecksTheNetwork()
    {
        var ck = Path.Combine(dir, "ck");
        var (code, _, err) = Run("train", "--model", "resnet", "--blocks", "2", "--filters", "8", "--scale", "2", "--train", "phantom:seed=1,grid=32x36x30",
            "--test", Volume, "--steps-per-epoch", "2", "--batch", "8", "--seed", "4", "--threads", "1", "--epochs", "1",
            "--test-axes", "2", "--checkpoint-dir", ck, "--json");
        Assert.True(code == 0, err);
        var path = Path.Combine(ck, "epoch-001.ckpt");
        (code, var old, err) = Run("eval", "--method", path, "--volume", Volume, "--axes", "2", "--json");
        Assert.True(code == 0, err);
        (code, var named, err) = Run("eval", "--method", "resnet", "--checkpoint", path, "--volume", Volume, "--axes", "2", "--json");
        Assert.True(code == 0, err);
        Assert.Equal(Psnr(old), Psnr(named));
        (code, _, err) = Run("eval", "--method", "dggrn", "--checkpoint", path, "--volume", Volume, "--axes", "2");
        Assert.Equal(2, code);
        Assert.Contains("holds a resnet network, found --method dggrn", err);
    }

    [Fact]
    public void BenchClassicalReportsSecondsPerSlice()
    {
        var (code, output, err) = Run("bench", "classical", "--method", "lrtv", "--scales", "2", "--source", Volume, "--slices", "1",
            "--param", "maxIterations=3", "--json");
        Assert.True(code == 0, err);
        var row = Assert.Single(JsonDocument.Parse(output).RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(("lrtv", 2, 1), (row.GetProperty("method").GetString(), row.GetProperty("scale").GetInt32(), row.GetProperty("slices").GetInt32()));
        Assert.True(row.GetProperty("medianSecondsPerSlice").GetDouble() > 0);
    }
}
