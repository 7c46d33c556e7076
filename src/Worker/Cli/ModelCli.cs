using Dggrn.Model.Volumes;

namespace Dggrn.Worker.Cli;

/// <summary>`train`, `eval`, `data`, `bench`: run src/Model locally, without the orchestrator.</summary>
public static class ModelCli
{
    /// <summary>Runs one model command; returns the exit code (0 ok, 1 failure, 2 bad input, 130 cancelled).</summary>
    public static Task<int> RunAsync(string[] args)
    {
        try
        {
            var rest = new CliArgs(args.Skip(1));
            int code = args[0] switch
            {
                "train" => TrainCommand.Run(rest),
                "eval" => EvalCommand.Run(rest),
                "data" => DataCommand.Run(rest),
                "bench" => BenchCommand.Run(rest),
                _ => throw new CliException($"unknown command '{args[0]}'"),
            };
            return Task.FromResult(code);
        }
        catch (CliException e) { return Fail(2, $"dggrn {args[0]}: {e.Message}"); }
        catch (VolumeFormatException e) { return Fail(2, $"dggrn {args[0]}: {e.Message}"); }
        catch (ArgumentException e) { return Fail(2, $"dggrn {args[0]}: {e.Message}"); }
        catch (InvalidDataException e) { return Fail(2, $"dggrn {args[0]}: {e.Message}"); }
        catch (OperationCanceledException) { return Fail(130, $"dggrn {args[0]}: cancelled"); }
    }

    static Task<int> Fail(int code, string message)
    {
        Console.Error.WriteLine(message);
        return Task.FromResult(code);
    }
}
