using System.Text.Json.Nodes;
using Dggrn.Deploy.Tests.Cluster;
using Xunit;

namespace Dggrn.Deploy.Tests.Containers;

/// <summary>What every container test asks of a finished grid, against the API, PostgreSQL and the S3 store.</summary>
public static class GridChecks
{
    /// <summary>Trials of an experiment as the API lists them.</summary>
    public static IEnumerable<JsonNode> Trials(JsonNode? detail) => detail?["trials"]?.AsArray().OfType<JsonNode>() ?? [];

    /// <summary>Polls until every trial of the experiment has ended; returns them.</summary>
    public static Task<List<JsonNode>> FinishedAsync(LabApi api, string experimentId, int trials, TimeSpan timeout, Func<string> diagnostics) =>
        Poll.UntilAsync("every trial finished", timeout, async () =>
        {
            var list = Trials(await api.TryGetAsync($"api/experiments/{experimentId}")).ToList();
            return list.Count == trials && list.All(t => t["state"]!.GetValue<string>() is "Succeeded" or "Failed" or "Cancelled" or "Diverged")
                ? list : null;
        }, diagnostics);

    /// <summary>Each epoch's test PSNR, SSIM and epoch loss exist exactly once per trial, at the epoch's last step.</summary>
    public static async Task EpochMetricsExactlyOnceAsync(Func<string, Task<List<string[]>>> sql, IEnumerable<JsonNode> trials, int epochs, int stepsPerEpoch)
    {
        foreach (var t in trials)
        {
            var rows = await sql($"SELECT name, step, count(*) FROM metrics WHERE trial_id = '{t["id"]!.GetValue<Guid>()}' " +
                                 "AND name IN ('test/psnr', 'test/ssim', 'train/epoch_loss') GROUP BY name, step ORDER BY name, step");
            foreach (var name in new[] { "test/psnr", "test/ssim", "train/epoch_loss" })
            {
                var steps = rows.Where(r => r[0] == name).ToList();
                Assert.All(steps, s => Assert.True(s[2] == "1", $"trial {t["key"]}: {name} at step {s[1]} stored {s[2]} times"));
                Assert.Equal(Enumerable.Range(1, epochs).Select(e => (e * stepsPerEpoch).ToString()), steps.Select(s => s[1]));
            }
        }
    }

    /// <summary>
    /// Every checkpoint PostgreSQL records (and has not retired) is in the S3 service with the recorded SHA-256:
    /// hashes of the stand-in's stored objects, computed inside its container.
    /// </summary>
    public static async Task CheckpointsInS3Async(Func<string, Task<List<string[]>>> sql, string s3Container, string bucket, int atLeast)
    {
        var recorded = await sql("SELECT key, sha256 FROM checkpoints WHERE retired_at IS NULL");
        Assert.True(recorded.Count >= atLeast, $"{recorded.Count} checkpoint records, expected at least {atLeast}");
        var stored = (await Shell.PodmanAsync("exec", s3Container, "sh", "-c", $"find /data/{bucket} -name '*._S3rver_object' -exec sha256sum {{}} +"))
            .OrThrow("hashing the S3 objects").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToHashSet();
        Assert.All(recorded, r => Assert.True(stored.Contains(r[1].ToLowerInvariant()), $"checkpoint {r[0]} (sha256 {r[1]}) is not in the S3 service"));
    }
}
