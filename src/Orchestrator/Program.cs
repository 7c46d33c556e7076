// The `dggrn` command: CLI, local-mode launcher and silo host (see Cli/).
return await Dggrn.Orchestrator.Cli.CliApp.RunAsync(args);
