using System.Text.Json;
using Dggrn.Tests.Common;
using Xunit;

namespace Dggrn.Model.Tests;

/// <summary>The model commands of the built dggrn-worker, run as a child process like `./dggrn train|eval|data` runs them.</summary>
public sealed class CliTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("dggrn-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static (int Code, string Out, string Err) Run(params string[] args) => WorkerCli.Run(args);

    [Fact]
    public void PhantomThenInspectPrintsTheVolumeFacts()
    {
        var path = Path.Combine(dir, "p.nii.gz");
        var (code, _, err) = Run("data", "phantom", path, "--seed", "3", "--grid", "32x36x30");
        Assert.True(code == 0, err);
        (code, var output, err) = Run("data", "inspect", path, "--json");
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(output).RootElement;
        Assert.Equal("nifti", j.GetProperty("format").GetString());
        Assert.Equal([32, 36, 30], j.GetProperty("dims").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1.0, 1.0, 1.0], j.GetProperty("voxelSize").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal("float32", j.GetProperty("dataType").GetString());
        Assert.Equal(0, j.GetProperty("min").GetDouble());
        Assert.True(j.GetProperty("max").GetDouble() > j.GetProperty("mean").GetDouble());
    }

    [Fact]
    public void BenchCheckpointReportsTheCheckpointItWroteAndABareBenchNamesTheChoices()
    {
        var (code, output, err) = Run("bench", "checkpoint", "--blocks", "2", "--filters", "8", "--rounds", "1", "--json");
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(output).RootElement;
        Assert.Equal(8, j.GetProperty("filters").GetInt32());
        Assert.InRange(j.GetProperty("checkpointMiB").GetDouble(), 0.001, 10);
        Assert.True(j.GetProperty("writeMs").GetDouble() > 0);

        (code, _, err) = Run("bench");
        Assert.Equal(2, code);
        Assert.Contains("dggrn bench: expected a benchmark: train, checkpoint, classical, orchestrator, store-upload or dashboard, found ''", err);
    }

    [Fact]
    public void TrainWritesCheckpointsThatEvalAndResumeUse()
    {
        var ck = Path.Combine(dir, "ck");
        string[] common = ["train", "--model", "resnet", "--blocks", "2", "--filters", "8", "--scale", "2", "--train", "phantom:seed=1,grid=32x36x30",
            "--test", "phantom:seed=2,grid=32x36x30", "--steps-per-epoch", "3", "--batch", "8", "--seed", "4", "--threads", "1",
            "--test-axes", "2", "--checkpoint-dir", ck, "--json"];
        var (code, output, err) = Run([.. common, "--epochs", "2"]);
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var final = lines[^1];
        Assert.True(final.GetProperty("final").GetBoolean());
        Assert.Equal(2, final.GetProperty("epoch").GetInt32());
        // Hand count, ResNet K=8 N=2 x2: head 9*8+8 = 80, 4 block convs of 9*64+8 = 584, up conv 9*8*32+32 = 2,336, tail 9*8+1 = 73.
        Assert.Equal(80 + 4 * 584 + 2336 + 73, final.GetProperty("params").GetInt64());
        var test = final.GetProperty("test");
        Assert.True(test.GetProperty("overall").GetProperty("slices").GetInt32() > 0);
        Assert.True(test.GetProperty("axes").TryGetProperty("2", out _));
        Assert.Equal([1, 2], lines.Where(l => l.TryGetProperty("epochTrainLoss", out _)).Select(l => l.GetProperty("epoch").GetInt32()));
        Assert.True(File.Exists(Path.Combine(ck, "epoch-001.ckpt")) && File.Exists(Path.Combine(ck, "epoch-002.ckpt")));

        (code, output, err) = Run("eval", "--method", Path.Combine(ck, "epoch-002.ckpt"), "--volume", "phantom:seed=2,grid=32x36x30", "--axes", "2", "--json");
        Assert.True(code == 0, err);
        var e = JsonDocument.Parse(output).RootElement;
        Assert.Equal(["method", "volume", "scale", "protocol", "axes", "overall"], e.EnumerateObject().Select(p => p.Name));
        Assert.Equal("resnet", e.GetProperty("method").GetString());
        Assert.Equal("dggrn-v1", e.GetProperty("protocol").GetString());
        Assert.Equal(test.GetProperty("overall").GetProperty("psnr").GetDouble(), e.GetProperty("overall").GetProperty("psnr").GetDouble());

        (code, output, err) = Run([.. common, "--epochs", "3", "--resume"]);
        Assert.True(code == 0, err);
        var resumed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([3], resumed.Where(l => l.TryGetProperty("epochTrainLoss", out _)).Select(l => l.GetProperty("epoch").GetInt32()));
        Assert.Equal(3, resumed[^1].GetProperty("epoch").GetInt32());
    }

    [Fact]
    public void BadInputGivesOneLineAndExitCodeTwo()
    {
        var (code, _, err) = Run("eval", "--method", "bicubic", "--volume", Path.Combine(dir, "missing.nii.gz"), "--scale", "2", "--json");
        Assert.Equal(2, code);
        Assert.Contains("missing.nii.gz: file not found", err);
        (code, _, err) = Run("train", "--model", "dggrn", "--test", "phantom:seed=1", "--tain", "x");
        Assert.Equal(2, code);
        Assert.Contains("unknown option(s): --tain", err);
    }
}
