// The `dggrn` command: the CLI, the local-mode launcher (Local/) and the silo host (`dggrn silo`); see CliApp.cs.
return await Dggrn.Orchestrator.Cli.CliApp.RunAsync(args);
