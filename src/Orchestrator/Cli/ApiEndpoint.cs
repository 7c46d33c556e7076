using Dggrn.Orchestrator.Local;

namespace Dggrn.Orchestrator.Cli;

/// <summary>Where the orchestrator's HTTP API is and which token to use.</summary>
/// <remarks>DGGRN_URL / DGGRN_TOKEN win; otherwise the credentials file that local mode writes into its state directory.</remarks>
public sealed record ApiEndpoint(Uri Url, string Token)
{
    /// <summary>Resolves the endpoint from the environment or the local state directory.</summary>
    public static ApiEndpoint Resolve()
    {
        var state = StateDirectory.Resolve();
        var creds = LocalCredentials.TryLoad(state);
        var url = Environment.GetEnvironmentVariable("DGGRN_URL") is { Length: > 0 } u ? u : creds?.Url;
        var token = Environment.GetEnvironmentVariable("DGGRN_TOKEN") is { Length: > 0 } t ? t : creds?.AdminToken;
        if (string.IsNullOrEmpty(url))
            throw new CliException(
                $"no orchestrator to talk to: start local mode with `./dggrn up` (it writes {state.CredentialsFile}), or set DGGRN_URL and DGGRN_TOKEN");
        if (string.IsNullOrEmpty(token))
            throw new CliException($"no API token: set DGGRN_TOKEN (or run `./dggrn up`, which keeps one in {state.CredentialsFile})");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new CliException($"orchestrator URL '{url}' is not an absolute http(s) URL");
        return new ApiEndpoint(uri, token);
    }
}
