using System.Net.Http.Json;
using System.Security.Cryptography;
using Dggrn.Contracts.Api;
using Dggrn.Checkpoints;
using Dggrn.Contracts.Content;
using Dggrn.Contracts.Trials;

namespace Dggrn.Dashboard.Tests;

/// <summary>
/// Plays a worker through the orchestrator's real worker API: registers, leases, starts, and runs a trial's whole
/// recorded life (per-step loss, per-epoch metrics, example images, checkpoints, log lines) before completing it.
/// </summary>
public sealed class WorkerPlay(LabFixture lab, HttpClient api, string workerId, NumericsInfo? numerics) : IDisposable
{
    static readonly string[] ImageKinds = ["lr", "bicubic", "sr", "hr", "error"];
    long _sequence;

    /// <summary>The worker's id.</summary>
    public string Id => workerId;

    /// <summary>Registers a worker with a worker token (with <paramref name="numerics"/> as its start-up check, if given).</summary>
    public static async Task<WorkerPlay> RegisterAsync(LabFixture lab, int slots = 4, NumericsInfo? numerics = null)
    {
        var api = lab.Api(await lab.TokenAsync("worker"));
        var reg = await (await api.PostAsJsonAsync("/api/workers/register",
            new RegisterWorkerRequest("play-host", Environment.ProcessId, [new DeviceInfo("cpu", "cpu", 64L << 30, slots)], "test", Numerics: numerics), LabFixture.Json))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<RegisterWorkerResponse>(LabFixture.Json);
        return new WorkerPlay(lab, api, reg!.WorkerId, numerics);
    }

    /// <summary>Leases up to <paramref name="max"/> trials and reports each started, with where it runs.</summary>
    public async Task<LeaseGrant[]> LeaseAndStartAsync(int max)
    {
        var grants = await (await api.PostAsJsonAsync($"/api/workers/{workerId}/lease", new LeaseRequest(max, "cpu", 64L << 30), LabFixture.Json))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<LeaseGrant[]>(LabFixture.Json);
        foreach (var g in grants!)
            (await api.PostAsJsonAsync($"/api/trials/{g.TrialId}/started", new TrialStartedRequest(g.LeaseId, null,
                new TrialEnvironment("play-host", workerId, "cpu", 2, ".NET test", "Debian GNU/Linux 12", "test", numerics)), LabFixture.Json)).EnsureSuccessStatusCode();
        return grants;
    }

    /// <summary>One epoch of <paramref name="g"/>: four logged training steps, the epoch's metrics and, with
    /// <paramref name="files"/>, two example slices and a checkpoint (objects put in the store first, then recorded, as a
    /// worker does) and a log line.</summary>
    public async Task EpochAsync(LeaseGrant g, int epoch, double psnr, bool files = true)
    {
        var at = DateTimeOffset.UtcNow;
        var step = epoch * 40L;
        MetricPoint[] points =
        [
            .. Enumerable.Range(1, 4).Select(i => new MetricPoint("train/loss", step - 40 + i * 10, epoch, 1.0 / (step - 40 + i * 10), at)),
            new("train/epoch_loss", step, epoch, 1.0 / epoch, at), new("lr", step, epoch, 1e-3, at),
            new("test/psnr", step, epoch, psnr, at), new("test/ssim", step, epoch, 0.8 + epoch / 100.0, at),
        ];
        (await api.PostAsJsonAsync($"/api/trials/{g.TrialId}/metrics", new MetricBatch(g.LeaseId, g.Attempt, ++_sequence, points), LabFixture.Json))
            .EnsureSuccessStatusCode();
        if (!files) return;
        foreach (var slice in new[] { 20, 30 })
        foreach (var kind in ImageKinds)
        {
            var key = StoreKeys.Image(g.ExperimentId, g.TrialId, epoch, kind, 0, slice);
            await lab.Store.PutAsync(key, TinyPng.Gray(16, (byte)(slice + epoch * 10)), new Dictionary<string, string>(), CancellationToken.None);
            (await api.PostAsJsonAsync($"/api/trials/{g.TrialId}/artifacts", new ArtifactRecordRequest(g.LeaseId, epoch, kind, 0, slice, key), LabFixture.Json))
                .EnsureSuccessStatusCode();
        }
        var bytes = RandomNumberGenerator.GetBytes(64);
        var ckpt = StoreKeys.Checkpoint(g.ExperimentId, g.TrialId, g.Attempt, epoch);
        await lab.Store.PutAsync(ckpt, bytes, new Dictionary<string, string>(), CancellationToken.None);
        (await api.PostAsJsonAsync($"/api/trials/{g.TrialId}/checkpoints", new CheckpointRecordRequest(g.LeaseId,
            new CheckpointInfo(g.Attempt, epoch, step, ckpt, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, psnr)), LabFixture.Json))
            .EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync($"/api/trials/{g.TrialId}/log", new TrialLogRequest(g.LeaseId, [$"epoch {epoch} test psnr {psnr:F2} dB"]), LabFixture.Json))
            .EnsureSuccessStatusCode();
    }

    /// <summary>Completes <paramref name="g"/> after <paramref name="epochs"/> epochs with a final test PSNR.</summary>
    public async Task CompleteAsync(LeaseGrant g, int epochs, double psnr)
    {
        double[] slices = [psnr - 0.2, psnr, psnr + 0.1, psnr + 0.1];
        var result = new EvalResult
        {
            Method = g.Config.Method, Volume = "phantom:seed=2", Scale = g.Config.Scale,
            Overall = new AxisResult { Slices = slices.Length, Psnr = psnr, Ssim = 0.9, PerSlicePsnr = slices, PerSliceSsim = [.. slices.Select(_ => 0.9)] },
        };
        (await api.PostAsJsonAsync($"/api/trials/{g.TrialId}/complete", new TrialCompletedRequest(g.LeaseId, epochs, result, 12345, 42.5), LabFixture.Json))
            .EnsureSuccessStatusCode();
    }

    /// <summary>Reports <paramref name="g"/> failed for good (a divergence: never retried).</summary>
    public async Task DivergeAsync(LeaseGrant g, string error) =>
        (await api.PostAsJsonAsync($"/api/trials/{g.TrialId}/failed", new TrialFailedRequest(g.LeaseId, error, Retryable: false, Diverged: true), LabFixture.Json))
            .EnsureSuccessStatusCode();

    /// <inheritdoc />
    public void Dispose() => api.Dispose();
}
