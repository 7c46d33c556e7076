using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Specs;

/// <summary>Expands a <see cref="GridSpec"/> into unique trials: the cross product of each block's axes, shared
/// trials (same identity) counted once with the union of the tables they feed.</summary>
public static class GridExpander
{
    /// <summary>Expands <paramref name="spec"/>; <paramref name="datasets"/> maps every dataset name to its resolved sources.</summary>
    public static ExpandedGrid Expand(GridSpec spec, string specText, IReadOnlyDictionary<string, DatasetRef> datasets, string codeVersion)
    {
        var byIdentity = new Dictionary<string, (PlannedTrial Trial, SortedSet<string> Tables)>();
        var order = new List<string>();
        foreach (var block in spec.Grid)
            foreach (var method in block.Methods)
                foreach (var dataset in block.Datasets)
                    foreach (var scale in block.Scale)
                        foreach (var blocks in block.Blocks)
                            foreach (var filters in block.Filters)
                                foreach (var seed in block.Seed)
                                {
                                    var config = Normalise(new TrialConfig
                                    {
                                        Method = method, Blocks = blocks, Filters = filters, Scale = scale, Seed = seed,
                                        Dataset = datasets[dataset], Training = block.Training, Protocol = spec.Protocol,
                                        CodeVersion = codeVersion, Params = block.Params?.GetValueOrDefault(method),
                                    });
                                    var identity = TrialIdentity.Compute(config);
                                    if (!byIdentity.TryGetValue(identity, out var entry))
                                    {
                                        entry = (new PlannedTrial(KeyOf(config), identity, [], config, spec.Device, MemoryEstimate.Bytes(config)), new SortedSet<string>(StringComparer.Ordinal));
                                        byIdentity[identity] = entry;
                                        order.Add(identity);
                                    }
                                    entry.Tables.UnionWith(block.Tables);
                                }

        // Two identities with one human key (e.g. blocks with different training settings) get a hash suffix.
        var keyCounts = order.GroupBy(i => byIdentity[i].Trial.Key).ToDictionary(g => g.Key, g => g.Count());
        var trials = order.Select(i =>
        {
            var (t, tables) = byIdentity[i];
            var key = keyCounts[t.Key] > 1 ? $"{t.Key}-{i[..8]}" : t.Key;
            return t with { Key = key, Tables = [.. tables] };
        }).ToArray();
        return new ExpandedGrid(spec.Name, spec.Protocol, spec.Priority, specText, trials);
    }

    /// <summary>Human key, e.g. "dggrn-n8-k64-x2-NAMIC-s0"; untrained methods (bicubic, nmu, lrtv) have no network and no seed.</summary>
    public static string KeyOf(TrialConfig c) => MethodParameters.IsUntrained(c.Method)
        ? $"{c.Method}-x{c.Scale}-{c.Dataset.Name}"
        : $"{c.Method}-n{c.Blocks}-k{c.Filters}-x{c.Scale}-{c.Dataset.Name}-s{c.Seed}";

    /// <summary>Untrained methods (bicubic, nmu, lrtv): blocks, filters, seed and training settings cannot change their
    /// result, so they are fixed to make every such cell of a dataset, scale (and params) one shared trial.</summary>
    static TrialConfig Normalise(TrialConfig c) => MethodParameters.IsUntrained(c.Method)
        ? c with { Blocks = 0, Filters = 0, Seed = 0, Training = new TrainingSettings { TestAxes = c.Training.TestAxes } }
        : c;
}
