using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service.Checkpoints;

/// <summary>Finds the checkpoint a new attempt resumes from: the granted one, or the newest older one that verifies.</summary>
public static class ResumeResolver
{
    /// <summary>Outcome: the bytes and the checkpoint they came from (both null: start fresh), and what went wrong on the way.</summary>
    public sealed record Resolution(byte[]? Data, CheckpointInfo? From, IReadOnlyList<string> Problems);

    /// <summary>Resolves the resume point for <paramref name="grant"/>; <paramref name="listRecorded"/> is GET /api/trials/{id}/checkpoints.</summary>
    public static async Task<Resolution> ResolveAsync(LeaseGrant grant, CheckpointUploader uploader,
        Func<CancellationToken, Task<CheckpointInfo[]>> listRecorded, CancellationToken ct)
    {
        if (grant.ResumeFrom is not { } wanted) return new(null, null, []);
        var problems = new List<string>();
        var (data, problem) = await uploader.DownloadVerifiedAsync(wanted, ct);
        if (data is not null) return new(data, wanted, problems);
        problems.Add(problem!);
        var bad = new HashSet<string>(StringComparer.Ordinal) { wanted.Key };
        var candidates = (await listRecorded(ct))
            .Where(c => !bad.Contains(c.Key))
            .OrderByDescending(c => c.Epoch).ThenByDescending(c => c.Step).ThenByDescending(c => c.Attempt);
        foreach (var c in candidates)
        {
            (data, problem) = await uploader.DownloadVerifiedAsync(c, ct);
            if (data is not null)
            {
                problems.Add($"resuming from the previous good checkpoint {c.Key} (epoch {c.Epoch}, step {c.Step}) instead");
                return new(data, c, problems);
            }
            problems.Add(problem!);
        }
        problems.Add("no recorded checkpoint verifies: starting from scratch");
        return new(null, null, problems);
    }
}
