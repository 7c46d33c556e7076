using System.Net;
using Dggrn.Contracts.Api;
using Dggrn.Worker.Service;
using Dggrn.Worker.Service.Trial;

namespace Dggrn.Worker.Tests;

public sealed class MetricJournalTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("dggrn-journal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static MetricPoint P(long step) => new("train/loss", step, 1, 1.0 / step, DateTimeOffset.UnixEpoch);

    /// <summary>A receiver that refuses (503) while "down", and records what it accepted, keyed like the server's idempotency key.</summary>
    sealed class Receiver
    {
        public volatile bool Down;
        public readonly List<MetricBatch> Accepted = [];
        public int Refused;

        public Task SendAsync(MetricBatch b, CancellationToken ct)
        {
            if (Down)
            {
                Interlocked.Increment(ref Refused);
                throw new OrchestratorException(HttpStatusCode.ServiceUnavailable, "database down");
            }
            lock (Accepted) if (!Accepted.Any(a => a.Sequence == b.Sequence)) Accepted.Add(b);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task OutageLosesNothingAndKeepsOrder()
    {
        var r = new Receiver();
        var path = Path.Combine(_dir, "m.journal");
        await using (var j = new MetricJournal(path, Guid.NewGuid(), 1, r.SendAsync, 1 << 20, _ => { }))
        {
            for (var s = 1; s <= 120; s++) j.Add(P(s));
            r.Down = true;
            for (var s = 121; s <= 260; s++) j.Add(P(s));
            j.Seal();
            var until = DateTime.UtcNow.AddSeconds(30);
            while (r.Refused < 2) { Assert.True(DateTime.UtcNow < until); await Task.Delay(10); }
            r.Down = false;
            Assert.True(await j.FlushAsync(TimeSpan.FromSeconds(30)));
        }
        var steps = r.Accepted.SelectMany(b => b.Points).Select(p => p.Step).ToList();
        Assert.Equal(Enumerable.Range(1, 260).Select(i => (long)i), steps);
        Assert.Equal(r.Accepted.Select(b => b.Sequence).Order(), r.Accepted.Select(b => b.Sequence));
        Assert.Empty(MetricJournal.ReadJournal(path).Pending);
    }

    [Fact]
    public async Task FullBufferWarnsAndBlocksInsteadOfDropping()
    {
        var r = new Receiver { Down = true };
        var warnings = new List<string>();
        var path = Path.Combine(_dir, "full.journal");
        await using var j = new MetricJournal(path, Guid.NewGuid(), 1, r.SendAsync, 4096, w => { lock (warnings) warnings.Add(w); });
        var producer = Task.Run(() => { for (var s = 1; s <= 400; s++) j.Add(P(s)); j.Seal(); });
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!warnings.Any(w => w.Contains("metric buffer full"))) { Assert.True(DateTime.UtcNow < until, "no warning"); await Task.Delay(10); }
        Assert.False(producer.IsCompleted, "the producer should wait while the buffer is full");
        r.Down = false;
        await producer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await j.FlushAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(400, r.Accepted.Sum(b => b.Points.Length));
    }

    [Fact]
    public async Task ReplaySendsOnlyUnacknowledgedBatchesOfADeadProcess()
    {
        var r = new Receiver();
        var path = Path.Combine(_dir, "dead.journal");
        var lease = Guid.NewGuid();
        await using (var j = new MetricJournal(path, lease, 2, r.SendAsync, 1 << 20, _ => { }))
        {
            for (var s = 1; s <= 50; s++) j.Add(P(s)); // one full batch, sent
            Assert.True(await j.FlushAsync(TimeSpan.FromSeconds(30)));
            r.Down = true;
            for (var s = 51; s <= 75; s++) j.Add(P(s));
            j.Seal(); // written to disk, never acknowledged: the process "dies" here
        }
        // A torn line, as a crash mid-write leaves it.
        File.AppendAllText(path, "{\"leaseId\":\"");
        r.Down = false;
        Assert.True(await MetricJournal.ReplayAsync(path, r.SendAsync, _ => { }, TimeSpan.FromSeconds(10), default));
        Assert.Equal([1L, 2L], r.Accepted.Select(b => b.Sequence));
        Assert.All(r.Accepted, b => Assert.Equal(2, b.Attempt));
        Assert.Equal(Enumerable.Range(1, 75).Select(i => (long)i), r.Accepted.SelectMany(b => b.Points).Select(p => p.Step));
        // Replaying again sends nothing more.
        Assert.True(await MetricJournal.ReplayAsync(path, r.SendAsync, _ => { }, TimeSpan.FromSeconds(10), default));
        Assert.Equal(2, r.Accepted.Count);
    }
}
