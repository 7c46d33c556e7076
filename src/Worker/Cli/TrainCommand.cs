using System.Text.Json.Nodes;
using Dggrn.Model.Training;

namespace Dggrn.Worker.Cli;

/// <summary>`train --model dggrn|resnet --blocks N --filters K --scale S --train PATH... --test PATH... [--epochs E]
/// [--steps-per-epoch M] [--batch B] [--seed N] [--threads T] [--device D] [--lr X] [--patch-stride P] [--train-axes 0,1,2]
/// [--test-axes 0,1,2] [--no-augment] [--elastic P] [--early-stop E] [--checkpoint-dir DIR] [--resume] [--examples-dir DIR] [--json]`.</summary>
public static class TrainCommand
{
    /// <summary>Trains one trial locally; returns the exit code.</summary>
    public static int Run(CliArgs a)
    {
        var d = new TrainerOptions();
        var options = d with
        {
            Epochs = a.Int("epochs") ?? d.Epochs, StepsPerEpoch = a.Int("steps-per-epoch"), BatchSize = a.Int("batch") ?? d.BatchSize,
            Threads = a.Int("threads") ?? 0, Device = a.String("device") ?? d.Device, LearningRate = a.Double("lr") ?? d.LearningRate,
            PatchStride = a.Int("patch-stride") ?? d.PatchStride, TrainAxes = a.IntList("train-axes") ?? d.TrainAxes,
            TestAxes = a.IntList("test-axes") ?? d.TestAxes, Augment = !a.Flag("no-augment"), ElasticProbability = a.Double("elastic") ?? 0,
            EarlyStopPatience = a.Int("early-stop"), LogEverySteps = a.Int("log-every") ?? d.LogEverySteps,
            ExampleSlices = a.String("examples-dir") is null ? 0 : d.ExampleSlices,
        };
        var job = new TrainingJob
        {
            Method = a.Required("model"), Blocks = a.Int("blocks") ?? 8, Filters = a.Int("filters") ?? 64, Scale = a.Int("scale") ?? 2,
            Seed = a.Int("seed") ?? 0, TrainSources = a.List("train"), TestSources = a.List("test"), Options = options,
        };
        var dir = a.String("checkpoint-dir");
        bool resume = a.Flag("resume"), json = a.Flag("json");
        var examples = a.String("examples-dir");
        a.RejectUnknown();
        if (job.TestSources.Count == 0) throw new CliException("--test: expected at least one volume");
        // Only networks learn from training volumes; bicubic, noop and the classical methods evaluate directly.
        if (job.TrainSources.Count == 0 && Dggrn.Model.Models.ModelRegistry.IsTrainable(job.Method)) throw new CliException("--train: expected at least one volume");
        if (resume)
        {
            if (dir is null) throw new CliException("--resume: needs --checkpoint-dir");
            var newest = CheckpointFiles.Newest(dir);
            if (newest is not null) job = job with { Resume = File.ReadAllBytes(newest) };
            if (!json) Console.Error.WriteLine(newest is null ? $"no checkpoint in {dir}: starting fresh" : $"resuming from {newest}");
        }
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var cb = new ConsoleCallbacks(json, dir, examples, options.StepsPerEpoch);
            var r = Trainer.Run(job, cb, cts.Token);
            var final = new JsonObject
            {
                ["final"] = true, ["epoch"] = r.Epoch, ["trainLoss"] = r.TrainLoss, ["test"] = EvalJson.Metrics(r.Test),
                ["params"] = r.Parameters, ["flopsPerLrPixel"] = r.FlopsPerLrPixel, ["seconds"] = Math.Round(r.Seconds, 3),
            };
            if (json) Console.WriteLine(final.ToJsonString(EvalJson.Options));
            else Console.WriteLine($"\nfinal: epoch {r.Epoch}, train loss {r.TrainLoss:G5}, test PSNR {r.Test.Overall.Psnr:F4} dB, SSIM {r.Test.Overall.Ssim:F4} " +
                                   $"over {r.Test.Overall.Slices} slices; {r.Parameters:N0} parameters, {r.FlopsPerLrPixel:N0} FLOPs/LR pixel; {r.Seconds:F1} s");
            return 0;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }
}
