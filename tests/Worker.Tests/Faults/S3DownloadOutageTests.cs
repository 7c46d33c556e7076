using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Contracts.Trials;
using Dggrn.Tests.Common;
using Dggrn.Worker.Service.Checkpoints;

namespace Dggrn.Worker.Tests.Faults;

/// <summary>The S3 server is down while a resuming attempt downloads its checkpoint, and comes back.</summary>
public sealed class S3DownloadOutageTests
{
    [Fault("S3 server stopped while a resuming attempt downloads its checkpoint",
        "the download retries while the server is down (never resolving to 'start from scratch') and, once the server is back, resumes from the granted checkpoint with verified bytes")]
    [Fact]
    public async Task Resume_waits_out_a_stopped_server_and_reads_the_granted_checkpoint()
    {
        using var server = new S3rverProcess();
        server.Start();
        var notes = new List<string>();
        using var store = new S3CheckpointStore(new CheckpointStoreOptions
        {
            Kind = "S3", Endpoint = server.Endpoint, AccessKey = "S3RVER", SecretKey = "S3RVER", Bucket = "download-outage", RetryForSeconds = 90, RequestTimeoutSeconds = 30,
        }, n => { lock (notes) notes.Add(n); });
        var uploader = new CheckpointUploader(store, _ => { });
        Guid exp = Guid.NewGuid(), trial = Guid.NewGuid();
        var data = new byte[8 << 20];
        new Random(3).NextBytes(data);
        var info = await uploader.UploadAsync(StoreKeys.Checkpoint(exp, trial, 1, 2), data, new CheckpointIdentity(exp, trial, "ident", 1), 2, 20, 31, default);
        var grant = new LeaseGrant(trial, exp, 2, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(1),
            new TrialConfig { Method = "noop", Dataset = new DatasetRef { Name = "p", Train = ["phantom:seed=1"], Test = ["phantom:seed=2"] } }, "ident", info);

        server.Kill();
        var resume = ResumeResolver.ResolveAsync(grant, uploader, _ => Task.FromResult(new[] { info }), default);
        // Down long enough for several failed tries (the store logs each retry), then back on the same port and data.
        await Fixtures.Poll.UntilAsync(() => Task.FromResult(Retries(notes)), n => n >= 3 || resume.IsCompleted, TimeSpan.FromSeconds(30), n => $"{n} retries");
        Assert.False(resume.IsCompleted, $"resume finished while the server was down ({resume.Status}); it must wait for the server");
        server.Start();

        var r = await resume;
        Assert.Equal(info, r.From);
        Assert.Empty(r.Problems);
        Assert.Equal(BlobHash.Sha256(data), BlobHash.Sha256(r.Data!));
    }

    static int Retries(List<string> notes)
    {
        lock (notes) return notes.Count(n => n.Contains("retrying", StringComparison.Ordinal));
    }
}
