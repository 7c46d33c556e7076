using System.Security.Cryptography;
using System.Text.Json;
using Dggrn.Orchestrator.Cli;

namespace Dggrn.Orchestrator.Local;

/// <summary>
/// What the CLI needs to reach local mode, kept in &lt;state&gt;/credentials.json with mode 600. The admin token is
/// generated once and kept across runs; the URLs and the database connection are rewritten on every start.
/// </summary>
public sealed record LocalCredentials
{
    /// <summary>Orchestrator HTTP API base URL.</summary>
    public string? Url { get; init; }

    /// <summary>Admin token (never printed).</summary>
    public required string AdminToken { get; init; }

    /// <summary>Connection string of the private PostgreSQL while local mode runs.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Dashboard base URL.</summary>
    public string? DashboardUrl { get; init; }

    /// <summary>Process id of the launcher that wrote the file.</summary>
    public int? LauncherPid { get; init; }

    /// <summary>Reads the file; null when it does not exist.</summary>
    public static LocalCredentials? TryLoad(StateDirectory state)
    {
        if (!File.Exists(state.CredentialsFile)) return null;
        try
        {
            return JsonSerializer.Deserialize<LocalCredentials>(File.ReadAllText(state.CredentialsFile), CliJson.Options);
        }
        catch (JsonException e)
        {
            throw new CliException($"{state.CredentialsFile} is not valid JSON ({e.Message}); delete it and run `./dggrn up` again", 1, e);
        }
    }

    /// <summary>Loads the file or creates a fresh admin token.</summary>
    public static LocalCredentials LoadOrCreate(StateDirectory state) =>
        TryLoad(state) ?? new LocalCredentials { AdminToken = NewToken() };

    /// <summary>A random URL-safe token with 256 bits of entropy.</summary>
    public static string NewToken() =>
        "dggrn_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Writes the file atomically, readable by its owner only.</summary>
    public void Save(StateDirectory state)
    {
        var tmp = state.CredentialsFile + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var s = new FileStream(tmp, options))
            JsonSerializer.Serialize(s, this, CliJson.Options);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, state.CredentialsFile, overwrite: true);
    }
}
