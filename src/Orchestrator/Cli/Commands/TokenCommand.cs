using Dggrn.Contracts.Api;
using System.CommandLine;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>`dggrn token create --role R` (needs an admin token).</summary>
public static class TokenCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var role = new Option<string>("--role") { Description = "admin, submitter, viewer or worker", Required = true };
        role.AcceptOnlyFromAmong("admin", "submitter", "viewer", "worker");
        var name = new Option<string?>("--name") { Description = "A label for the token (default: <role>-<date>)" };
        var singleUse = new Option<bool>("--single-use") { Description = "The token works once (e.g. a sign-in link)" };
        var expires = new Option<int?>("--expires-in") { Description = "Lifetime in seconds" };
        var json = CliOptions.Json();
        var create = new Command("create", "Create an API token and print it once") { role, name, singleUse, expires, json };
        create.SetAction(async (p, ct) =>
        {
            using var api = new ApiClient(ApiEndpoint.Resolve());
            var r = p.GetValue(role)!;
            var created = await api.PostAsync<CreateTokenResponse>("api/tokens",
                new CreateTokenRequest(p.GetValue(name) ?? $"{r}-{DateTime.UtcNow:yyyyMMddHHmmss}", r,
                    p.GetValue(singleUse), p.GetValue(expires)), ct);
            Console.Out.WriteLine(p.GetValue(json) ? CliJson.Write(created) : created.Token);
            return 0;
        });
        return new Command("token", "Manage API tokens") { create };
    }
}
