namespace Dggrn.Orchestrator.Local;

/// <summary>
/// The local-mode state directory: $DGGRN_STATE_DIR, else $DGGRN_HOME/.dggrn (./dggrn exports DGGRN_HOME as the
/// repository root, whose .gitignore covers .dggrn/), else ./.dggrn.
/// </summary>
public sealed class StateDirectory(string root)
{
    /// <summary>Absolute path of the directory.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>PostgreSQL data folder.</summary>
    public string Postgres => Path.Combine(Root, "pg");

    /// <summary>Child processes' log files.</summary>
    public string Logs => Path.Combine(Root, "logs");

    /// <summary>Local checkpoint store root.</summary>
    public string Checkpoints => Path.Combine(Root, "checkpoints");

    /// <summary>Workers' scratch space.</summary>
    public string Scratch => Path.Combine(Root, "scratch");

    /// <summary>URL, tokens and database connection of the running local mode (mode 600).</summary>
    public string CredentialsFile => Path.Combine(Root, "credentials.json");

    /// <summary>Resolves the directory from the environment (does not create it).</summary>
    public static StateDirectory Resolve()
    {
        if (Environment.GetEnvironmentVariable("DGGRN_STATE_DIR") is { Length: > 0 } dir) return new StateDirectory(dir);
        var home = Environment.GetEnvironmentVariable("DGGRN_HOME") is { Length: > 0 } h ? h : Environment.CurrentDirectory;
        return new StateDirectory(Path.Combine(home, ".dggrn"));
    }

    /// <summary>Creates the directory and its sub-folders.</summary>
    public void Create()
    {
        foreach (var d in new[] { Root, Logs, Checkpoints, Scratch }) Directory.CreateDirectory(d);
        // The private PostgreSQL runs as the 'postgres' user when we are root: it must be able to reach its folder.
        if (OperatingSystem.IsLinux() && Environment.UserName == "root")
            File.SetUnixFileMode(Root, File.GetUnixFileMode(Root) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
    }
}
