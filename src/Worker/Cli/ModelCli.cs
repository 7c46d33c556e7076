using Dggrn.Model.Volumes;

namespace Dggrn.Worker.Cli;

/// <summary>`train`, `eval`, `data`, `numerics`: run src/Model locally, without the orchestrator.</summary>
public static class ModelCli
{
    /// <summary>Runs one model command; returns the exit code (0 ok, 1 failure, 2 bad input, 130 cancelled).</summary>
    /// <remarks>Every error is one line on stderr, "dggrn COMMAND: reason"; --verbose adds the stack trace.</remarks>
    public static Task<int> RunAsync(string[] args)
    {
        if (args.Skip(1).Any(a => a is "--help" or "-h"))
        {
            Console.WriteLine(Usage.TryGetValue(args[0], out var u) ? u : string.Join("\n", Usage.Values));
            return Task.FromResult(0);
        }
        return Task.FromResult(Guarded(args[0], args.Skip(1), args[0] switch
        {
            "train" => TrainCommand.Run,
            "eval" => EvalCommand.Run,
            "data" => DataCommand.Run,
            "numerics" => NumericsCommand.Run,
            _ => _ => throw new CliException($"unknown command '{args[0]}'"),
        }));
    }

    /// <summary>Runs <paramref name="run"/> on <paramref name="args"/>, turning every error into one line "dggrn COMMAND: reason"
    /// and its exit code; --verbose (anywhere) adds the stack trace and is not passed on.</summary>
    public static int Guarded(string command, IEnumerable<string> args, Func<CliArgs, int> run)
    {
        bool verbose = args.Any(a => a is "--verbose");
        try
        {
            return run(new CliArgs(args.Where(a => a is not "--verbose")));
        }
        catch (Exception e) when (e is CliException or VolumeFormatException or ArgumentException or InvalidDataException)
        {
            return Fail(2, $"dggrn {command}: {e.Message}", verbose ? e : null);
        }
        catch (OperationCanceledException) { return Fail(130, $"dggrn {command}: cancelled", null); }
        catch (Exception e) when (e is Dggrn.Model.Training.TrainingDivergedException or Dggrn.Model.Numerics.NumericsException)
        {
            // "dggrn train: diverged at epoch 3, step 41: loss NaN" / "dggrn train: numerics: float32 convolutions disagree ..."
            return Fail(1, $"dggrn {command}: {e.Message}", verbose ? e : null);
        }
        catch (Exception e)
        {
            // Anything unforeseen (I/O, out of memory, a TorchSharp error) still ends as one line, not a stack trace.
            return Fail(1, $"dggrn {command}: {e.GetType().Name}: {FirstSentence(e.Message)}{(verbose ? "" : " (--verbose shows details)")}", verbose ? e : null);
        }
    }

    static readonly Dictionary<string, string> Usage = new()
    {
        ["train"] = "train --model dggrn|resnet|bicubic|noop --blocks N --filters K --scale S --train PATH... --test PATH... [--epochs E] [--steps-per-epoch M]\n" +
                    "      [--batch B] [--seed N] [--threads T] [--device cpu|cuda|auto] [--lr X] [--patch-stride P] [--train-axes 0,1,2] [--test-axes 0,1,2]\n" +
                    "      [--no-augment] [--elastic P] [--early-stop E] [--log-every N] [--checkpoint-dir DIR] [--resume] [--examples-dir DIR] [--json]",
        ["eval"] = "eval --method bicubic|nmu|lrtv --volume PATH --scale S [--param NAME=VALUE ...] [--axes 0,1,2] [--threads T] [--per-slice] [--json]\n" +
                   "eval --method dggrn|resnet|scsr|recnn --checkpoint PATH --volume PATH [--scale S] [--axes 0,1,2] [--threads T] [--device D] [--per-slice] [--json]\n" +
                   "eval --method CHECKPOINT_PATH --volume PATH [--scale S] ...   (older form: the checkpoint names its network)",
        ["data"] = "data phantom OUT.nii[.gz] --seed N [--grid XxYxZ]\ndata inspect PATH [--json]",
        ["numerics"] = "numerics [--threads T] [--paths channels-last,blocked,reference] [--model dggrn|resnet|scsr|recnn --blocks N --filters K --scale S] [--batch B] [--device cpu|cuda] [--json]\n" +
                       "      float32 convolutions of the real networks against float64; chooses the fastest path that agrees (exit 1 when none does)",
    };

    /// <summary>libtorch's messages carry a native stack trace after "Exception raised from": the line ends before it.</summary>
    static string FirstSentence(string message) =>
        message.IndexOf(" Exception raised from ", StringComparison.Ordinal) is var i and > 0 ? message[..i] : message;

    static int Fail(int code, string message, Exception? details)
    {
        Console.Error.WriteLine(message.ReplaceLineEndings(" "));
        if (details is not null) Console.Error.WriteLine(details);
        return code;
    }
}
