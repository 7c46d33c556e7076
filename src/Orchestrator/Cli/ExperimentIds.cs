using Dggrn.Contracts.Api;

namespace Dggrn.Orchestrator.Cli;

/// <summary>Turns what the user typed into an experiment id: a full GUID, or a unique prefix of a known one.</summary>
public static class ExperimentIds
{
    /// <summary>Resolves <paramref name="text"/>; a one-line error when it is malformed, unknown or ambiguous.</summary>
    public static async Task<Guid> ResolveAsync(ApiClient api, string text, CancellationToken ct)
    {
        var t = text.Trim();
        if (Guid.TryParse(t, out var id)) return id;
        if (t.Length < 4 || !t.All(c => Uri.IsHexDigit(c) || c == '-'))
            throw new CliException($"'{text}' is not an experiment id (expected a GUID such as 3f2b1c9e-..., or at least 4 of its first characters)");
        var all = await api.GetAsync<ExperimentSummary[]>("api/experiments", ct);
        var matches = all.Where(e => e.Id.ToString().StartsWith(t, StringComparison.OrdinalIgnoreCase)).ToArray();
        return matches.Length switch
        {
            1 => matches[0].Id,
            0 => throw new CliException($"no experiment has an id starting with '{text}' (`./dggrn status` lists them)"),
            _ => throw new CliException($"'{text}' matches {matches.Length} experiments; give more of the id"),
        };
    }

    /// <summary>Wraps a 404 on an experiment route as "experiment X not found".</summary>
    public static async Task<T> NotFoundAsExperimentAsync<T>(Guid id, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (CliException e) when (e.Message.Contains("(404)", StringComparison.Ordinal))
        {
            throw new CliException($"experiment {id} not found (`./dggrn status` lists them)", 1, e);
        }
    }
}
