using Dggrn.Dashboard.Services.ReadModels;

namespace Dggrn.Dashboard.Services;

/// <summary>One axis of a parallel-coordinates view; categorical axes carry tick labels for their codes.</summary>
public sealed record ParallelAxis(string Label, IReadOnlyList<double> Values, IReadOnlyList<double>? TickValues = null, IReadOnlyList<string>? TickText = null);

/// <summary>Hyper-parameters of trials against their final PSNR, as parallel-coordinates axes.</summary>
public static class ParallelAxes
{
    /// <summary>
    /// Axes for the hyper-parameters that vary among <paramref name="trials"/> (constant ones say nothing), then
    /// "final PSNR" last. Trials without a final PSNR are left out; categorical values are coded 0, 1, ... in sorted order.
    /// </summary>
    public static IReadOnlyList<ParallelAxis> Build(IReadOnlyList<TrialFacts> trials, IReadOnlyDictionary<Guid, double> finalPsnr)
    {
        var kept = trials.Where(t => finalPsnr.ContainsKey(t.Id)).ToList();
        var configs = kept.Select(t => LabReader.ConfigOf(t.ConfigJson)).ToList();
        var axes = new List<ParallelAxis>();

        void Categorical(string label, Func<int, string> value)
        {
            var values = kept.Select((_, i) => value(i)).ToList();
            var levels = values.Distinct().Order(StringComparer.Ordinal).ToList();
            if (levels.Count < 2) return;
            axes.Add(new ParallelAxis(label, values.Select(v => (double)levels.IndexOf(v)).ToList(),
                Enumerable.Range(0, levels.Count).Select(i => (double)i).ToList(), levels));
        }

        void Numeric(string label, Func<int, double?> value)
        {
            var values = kept.Select((_, i) => value(i) ?? double.NaN).ToList();
            if (values.Distinct().Count() < 2) return;
            axes.Add(new ParallelAxis(label, values));
        }

        Categorical("method", i => kept[i].Method);
        Categorical("dataset", i => kept[i].Dataset);
        Numeric("scale", i => kept[i].Scale);
        Numeric("blocks", i => kept[i].Blocks);
        Numeric("filters", i => kept[i].Filters);
        Numeric("seed", i => kept[i].Seed);
        Numeric("learning rate", i => configs[i]?.Training.LearningRate);
        Numeric("batch size", i => configs[i]?.Training.BatchSize);
        Numeric("patch size", i => configs[i]?.Training.PatchSize);
        Numeric("epochs", i => configs[i]?.Training.Epochs);
        Numeric("elastic p", i => configs[i]?.Training.ElasticProbability);
        Numeric("augment", i => configs[i] is { } c ? (c.Training.Augment ? 1 : 0) : null);
        axes.Add(new ParallelAxis("final PSNR", kept.Select(t => finalPsnr[t.Id]).ToList()));
        return axes;
    }
}
