using System.Text.Json.Nodes;
using Dggrn.Model.Training;

namespace Dggrn.Worker.Cli;

/// <summary>Prints training progress: JSON lines with --json, else a progress line on stderr and an epoch summary on stdout.</summary>
public sealed class ConsoleCallbacks(bool json, string? checkpointDir, string? examplesDir, int? stepsPerEpoch) : ITrainingCallbacks
{
    /// <inheritdoc/>
    public void OnTrainLoss(int epoch, long step, double loss)
    {
        if (json) Console.WriteLine(new JsonObject { ["epoch"] = epoch, ["step"] = step, ["trainLoss"] = loss }.ToJsonString(EvalJson.Options));
        else if (stepsPerEpoch is int s && s > 0)
        {
            // Global steps run 1..s in epoch 1, s+1..2s in epoch 2, ...: the position within the epoch is (step - 1) mod s + 1.
            long inEpoch = (step - 1) % s + 1;
            int filled = (int)(20 * inEpoch / s);
            Console.Error.Write($"\repoch {epoch} [{new string('#', filled)}{new string('-', 20 - filled)}] {inEpoch}/{s} loss {loss:G5}      ");
        }
        else Console.Error.Write($"\repoch {epoch} step {step} loss {loss:G5}      ");
    }

    /// <inheritdoc/>
    public void OnEpoch(EpochReport r)
    {
        if (json)
            Console.WriteLine(new JsonObject
            {
                ["epoch"] = r.Epoch, ["step"] = r.Step, ["epochTrainLoss"] = r.TrainLoss, ["lr"] = r.LearningRate,
                ["seconds"] = Math.Round(r.Seconds, 3), ["test"] = EvalJson.Metrics(r.Test),
            }.ToJsonString(EvalJson.Options));
        else
        {
            Console.Error.Write("\r");
            Console.WriteLine($"epoch {r.Epoch}: loss {r.TrainLoss:G5}, lr {r.LearningRate:G3}, {r.Seconds:F1} s, test PSNR {r.Test.Overall.Psnr:F4} dB SSIM {r.Test.Overall.Ssim:F4} ({r.Test.Overall.Slices} slices)");
        }
    }

    /// <inheritdoc/>
    public void OnCheckpoint(CheckpointBlob c)
    {
        if (checkpointDir is null) return;
        var path = CheckpointFiles.Write(checkpointDir, c);
        if (!json) Console.Error.WriteLine($"\rcheckpoint {path}");
    }

    /// <inheritdoc/>
    public void OnExamples(int epoch, IReadOnlyList<ExampleImage> images)
    {
        if (examplesDir is null) return;
        var dir = Path.Combine(examplesDir, $"epoch-{epoch}");
        Directory.CreateDirectory(dir);
        foreach (var i in images) File.WriteAllBytes(Path.Combine(dir, $"{i.Kind}-axis{i.Axis}-slice{i.Slice}.png"), i.Png);
    }

    /// <inheritdoc/>
    public void OnNumerics(Dggrn.Model.Numerics.NumericsReport report)
    {
        if (json)
            Console.WriteLine(new JsonObject { ["numerics"] = System.Text.Json.JsonSerializer.SerializeToNode(Numerics.NumericsWire.ToInfo(report), Contracts.Api.WireJson.Options) }
                .ToJsonString(EvalJson.Options));
    }

    /// <inheritdoc/>
    public void OnLog(string line)
    {
        if (!json) Console.Error.WriteLine($"\r{line}");
    }
}
