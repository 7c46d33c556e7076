using System.CommandLine;
using System.CommandLine.Help;
using Dggrn.Orchestrator.Cli.Commands;

namespace Dggrn.Orchestrator.Cli;

/// <summary>Entry point of the `dggrn` command.</summary>
/// <remarks>Every error ends as one line "dggrn: reason" and a non-zero exit code; --verbose adds the stack trace.</remarks>
public static class CliApp
{
    /// <summary>Parses and runs one command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var verbose = args.Contains("--verbose") || args.Contains("-v");
        try
        {
            if (args.Length > 0 && ForwardCommands.Names.Contains(args[0])) return await ForwardCommands.RunAsync(args);
            var root = BuildRoot();
            var parse = root.Parse(args.Length == 0 ? ["--help"] : args);
            if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
            {
                var path = string.Join(' ', Path(parse.CommandResult.Command));
                var reason = string.Join(' ', parse.Errors[0].Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                Console.Error.WriteLine($"dggrn: {reason} (see `dggrn {path}{(path.Length > 0 ? " " : "")}--help`)");
                return 2;
            }
            var code = await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
            return args.Length == 0 ? 2 : code;
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"dggrn: {e.Message}");
            if (verbose) Console.Error.WriteLine(e);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("dggrn: cancelled");
            return 130;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"dggrn: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}{(verbose ? "" : " (--verbose shows details)")}");
            if (verbose) Console.Error.WriteLine(e);
            return 1;
        }
    }

    /// <summary>The command tree.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("DGGRN Lab: run, watch and compare MRI super-resolution experiment grids");
        root.Options.Add(CliOptions.Verbose);
        foreach (var c in LocalCommands.Create()) root.Subcommands.Add(c);
        root.Subcommands.Add(SubmitCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(WorkersCommand.Create());
        foreach (var c in ControlCommands.Create()) root.Subcommands.Add(c);
        root.Subcommands.Add(SiloCommand.Create());
        root.Subcommands.Add(TokenCommand.Create());
        foreach (var c in ForwardCommands.Create()) root.Subcommands.Add(c);
        return root;
    }

    static IEnumerable<string> Path(Command c)
    {
        var names = new List<string>();
        for (Command? x = c; x is not null and not RootCommand; x = x.Parents.OfType<Command>().FirstOrDefault()) names.Insert(0, x.Name);
        return names;
    }
}
