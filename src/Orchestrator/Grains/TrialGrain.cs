using Dggrn.Contracts.Api;
using Dggrn.Contracts.Trials;
using Dggrn.Orchestrator.Grains.Abstractions;
using Dggrn.Orchestrator.Scheduling;

namespace Dggrn.Orchestrator.Grains;

/// <summary>A trial: holds its live lease, decides every report against it (<see cref="LeaseRules"/>) and writes it through.</summary>
/// <remarks>Activation reads nothing: a grant from the scheduler brings the lease, and otherwise it is read on first use. A
/// refusal is never decided on a lease that might be stale: the row is read again first. Once the trial is finished the
/// grain deactivates when idle (thousands of short trials a minute must not pile up in memory).</remarks>
public sealed class TrialGrain(TrialStore store, TrialWrites writes, ControlStore control) : Grain, ITrialGrain
{
    TrialLease? _lease;
    bool _known;
    // Lease id -> worker for every lease this activation saw: a lease names one grant to one worker forever, so a late report
    // of an earlier holder is still attributed to that holder (and refused as stale, not as someone else's).
    readonly Dictionary<Guid, string> _holders = [];
    Guid Id => this.GetPrimaryKey();

    async Task<TrialLease?> LeaseAsync(bool fresh = false)
    {
        if (fresh || !_known)
        {
            _lease = await store.LoadAsync(Id);
            _known = true;
            Remember(_lease);
        }
        return _lease;
    }

    /// <summary>The rules' verdict; a refusal is confirmed against the row as PostgreSQL has it now.</summary>
    async Task<Outcome?> CheckAsync(string worker, Guid leaseId, string kind, int? attempt = null)
    {
        var verdict = LeaseRules.Check(Id, await LeaseAsync(), worker, leaseId, kind, attempt);
        if (verdict is null || verdict.IsOk) return verdict;
        return LeaseRules.Check(Id, await LeaseAsync(fresh: true), worker, leaseId, kind, attempt);
    }

    /// <summary>What a written report did to the lease; anything unexpected (a race PostgreSQL decided) means read again.</summary>
    void After(Outcome written, Func<TrialLease, TrialLease?>? change = null)
    {
        if (!written.IsOk || _lease is null) _known = false;
        else if (change is not null)
        {
            _lease = change(_lease);
            if (_lease is null) _known = false;
            else if (_lease.State.IsTerminal()) DeactivateOnIdle();
        }
    }

    public async Task<Outcome[]> ApplyAsync(string workerId, WorkerReport[] reports)
    {
        // Records (metric batches, log lines) need only the lease, not a state, so they are written alongside the start rather
        // than after it: one statement's wait instead of one per kind. Metric batches keep their order among themselves, and
        // the final report (complete, failed, release) waits for everything before it: failing or releasing clears the lease
        // the records are checked against.
        var outcomes = new Outcome[reports.Length];
        var order = Enumerable.Range(0, reports.Length).OrderBy(n => Phase(reports[n])).ToList();
        var final = order.Where(n => IsFinal(reports[n])).ToList();
        var records = order.Where(n => reports[n].Kind is "metrics" or "log").ToList();
        var state = order.Except(final).Except(records).ToList();
        async Task InOrder(IEnumerable<int> ns)
        {
            foreach (var n in ns) outcomes[n] = await ApplyOneAsync(workerId, reports[n]);
        }
        var metrics = InOrder(records.Where(n => reports[n].Kind == "metrics"));
        var logs = Task.WhenAll(records.Where(n => reports[n].Kind == "log").Select(n => InOrder([n])));
        // A start and a completion of one lease in one batch (a trial shorter than a round trip) are one write once the start is
        // known to apply. The metrics go first (the completion's best PSNR reads them); log lines need only the lease, which a
        // succeeded trial keeps.
        if (state is [var s] && final is [var f] && reports[s].Started is { } started && reports[f].Complete is { } complete
            && started.LeaseId == complete.LeaseId && await CheckAsync(workerId, started.LeaseId, "started") is null)
        {
            await metrics;
            var written = await writes.CompleteAsync(new(workerId, Id, new Completion(complete, started)));
            After(written, l => l with { State = TrialState.Succeeded, ExpiresAt = null });
            outcomes[s] = outcomes[f] = written;
            await logs;
            return outcomes;
        }
        await Task.WhenAll(InOrder(state), metrics, logs);
        await InOrder(final);
        return outcomes;
    }

    static bool IsFinal(WorkerReport r) => r.Kind is "complete" or "failed" or "release";

    static int Phase(WorkerReport r) => r.Kind is { } k ? WorkerReport.Phases.ToList().IndexOf(k) : int.MaxValue;

    async Task<Outcome> ApplyOneAsync(string worker, WorkerReport r)
    {
        if (r.Kind is not { } kind) return Outcome.NotLive($"report for trial {Id}: expected exactly one of {string.Join(", ", WorkerReport.Phases)}");
        // Log lines of a trial whose lease this activation does not hold yet (typically its last lines, arriving after the
        // completion deactivated it) are checked by the statement itself: reading the lease first would double the cost.
        if (!(kind == "log" && !_known) && await CheckAsync(worker, r.LeaseId, kind, r.Metrics?.Attempt) is { } verdict) return verdict;
        Outcome written;
        switch (kind)
        {
            case "started":
                written = await writes.StartedAsync(new(worker, Id, r.Started!));
                After(written, l => l with { State = TrialState.Running });
                break;
            case "metrics":
                (written, _) = await writes.MetricsAsync(new(worker, Id, r.Metrics!));
                After(written);
                break;
            case "log":
                written = await writes.LogAsync(new(worker, Id, r.Log!));
                After(written);
                break;
            case "complete":
                written = await writes.CompleteAsync(new(worker, Id, new Completion(r.Complete!)));
                After(written, l => l with { State = TrialState.Succeeded, ExpiresAt = null });
                break;
            case "failed":
                written = await writes.FailedAsync(new(worker, Id, r.Failed!));
                After(written, _ => null); // Pending or Failed, as attempts and the error decided in SQL: read when next needed
                break;
            default:
                written = await writes.ReleaseAsync(new(worker, Id, r.Release!));
                After(written, l => l with { State = TrialState.Pending, LeaseId = null, ExpiresAt = null });
                break;
        }
        return written;
    }

    public async Task<CheckpointReply> RecordCheckpointAsync(string workerId, CheckpointRecordRequest request)
    {
        if (await CheckAsync(workerId, request.LeaseId, "checkpoint") is { } verdict) return new CheckpointReply(verdict, []);
        var (written, response) = await writes.CheckpointAsync(new(workerId, Id, request));
        After(written);
        return new CheckpointReply(written, response?.Delete ?? []);
    }

    public async Task<Outcome> RecordArtifactAsync(string workerId, ArtifactRecordRequest request)
    {
        if (await CheckAsync(workerId, request.LeaseId, "artifact") is { } verdict) return verdict;
        var written = await writes.ArtifactAsync(new(workerId, Id, request));
        After(written);
        return written;
    }

    public async Task<string?> HolderAsync(Guid leaseId) =>
        _holders.TryGetValue(leaseId, out var w) ? w : (await LeaseAsync())?.WorkerId ?? (await LeaseAsync(fresh: true))?.WorkerId;

    public Task GrantedAsync(TrialLease lease)
    {
        (_lease, _known) = (lease, true);
        Remember(lease);
        return Task.CompletedTask;
    }

    void Remember(TrialLease? lease)
    {
        if (lease is { LeaseId: { } id, WorkerId: { } worker }) _holders[id] = worker;
    }

    public Task RenewedAsync(Guid leaseId, DateTimeOffset expiresAt)
    {
        if (_known && _lease?.LeaseId == leaseId) _lease = _lease with { ExpiresAt = expiresAt };
        return Task.CompletedTask;
    }

    public Task ForgetAsync()
    {
        _known = false;
        return Task.CompletedTask;
    }

    public async Task<Outcome> CancelAsync(string by) => await ControlAsync(() => control.CancelAsync(ControlScope.Trial, Id, by));

    public async Task<Outcome> PauseAsync(string by) => await ControlAsync(() => control.PauseAsync(ControlScope.Trial, Id, by));

    public async Task<Outcome> ResumeAsync() => await ControlAsync(() => control.ResumeAsync(ControlScope.Trial, Id));

    async Task<Outcome> ControlAsync(Func<Task> change)
    {
        if (await LeaseAsync(fresh: true) is null) return Outcome.NotFound($"trial {Id} does not exist");
        await change();
        _known = false;
        return Outcome.Ok;
    }
}
